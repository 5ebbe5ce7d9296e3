/**
 * Words and numbers for the audience report (screen, print and comparison alike): percentages,
 * signed valence, times, ties written as ties, and key moments in a sentence.
 */
import type { Expression } from '@fer/core';
import type { KeyMoment, MomentMetric, SegmentReport } from '../metrics.js';

/** 0.1234 -> "12%"; null -> "–". */
export const percent = (v: number | null | undefined): string => (v === null || v === undefined ? '–' : `${Math.round(v * 100)}%`);

/** Valence with its sign, two decimals: 0.1234 -> "+0.12", -0.5 -> "−0.50"; null -> "–". */
export function signed(v: number | null | undefined, decimals = 2): string {
  if (v === null || v === undefined) return '–';
  const r = Number(v.toFixed(decimals));
  if (r === 0) return (0).toFixed(decimals);
  return `${r > 0 ? '+' : '−'}${Math.abs(r).toFixed(decimals)}`;
}

/** A difference of two values, signed, or "–" when either is missing. */
export const diff = (a: number | null | undefined, b: number | null | undefined): number | null =>
  a === null || a === undefined || b === null || b === undefined ? null : b - a;

/** Seconds with one decimal: 1500 -> "1.5 s"; minutes past a minute: 83000 -> "1:23". */
export function time(ms: number): string {
  const s = ms / 1000;
  if (Math.abs(s) < 60) return `${s.toFixed(1)} s`;
  const sign = s < 0 ? '−' : '';
  const a = Math.abs(s);
  return `${sign}${Math.floor(a / 60)}:${String(Math.floor(a % 60)).padStart(2, '0')}`;
}

/** A stretch: "3.0–5.0 s", or one bin "3.0 s". */
export function stretch(at: { fromMs: number; toMs: number }): string {
  const [a, b] = [time(at.fromMs), time(at.toMs)];
  if (at.toMs - at.fromMs <= 1000) return a;
  return a.endsWith(' s') && b.endsWith(' s') ? `${a.slice(0, -2)}–${b}` : `${a}–${b}`;
}

/** Expressions that tie, as "angry = neutral"; "–" when none. */
export const tied = (top: readonly Expression[]): string => (top.length === 0 ? '–' : top.join(' = '));

/** Where a moment is: "3.0 s", or "3.0 s and 12.0 s (tie)". */
export function where(moment: KeyMoment): string {
  const places = moment.at.map(stretch);
  if (places.length === 1) return places[0] as string;
  return `${places.slice(0, -1).join(', ')} and ${places.at(-1) as string} (tie)`;
}

const METRIC_NAMES: Record<'valence-high' | 'valence-low', string> = { 'valence-high': 'Most positive', 'valence-low': 'Most negative' };

/** A metric's name in the report. */
export const momentName = (metric: MomentMetric): string =>
  metric === 'valence-high' || metric === 'valence-low' ? METRIC_NAMES[metric] : `Most ${metric}`;

/** A moment in words: "Most positive: +0.42 at 3.0–5.0 s", "Most happy: 62% at 3.0 s and 9.0 s (tie)". */
export function describeMoment(moment: KeyMoment): string {
  const value = moment.metric === 'valence-high' || moment.metric === 'valence-low' ? signed(moment.value) : percent(moment.value);
  return `${momentName(moment.metric)}: ${value} at ${where(moment)}`;
}

/** Segments with the highest value of `pick` (several on a tie, none when no segment has a value). */
export function bestSegments(segments: readonly SegmentReport[], pick: (s: SegmentReport) => number | null): SegmentReport[] {
  const values = segments.map((s) => {
    const v = pick(s);
    return v === null ? null : Number(v.toFixed(4));
  });
  const best = Math.max(...values.filter((v): v is number => v !== null));
  if (!Number.isFinite(best)) return [];
  return segments.filter((_, i) => values[i] === best);
}

/** Segment names joined, ties marked: "Ad", "Intro = Ad (tie)". */
export const segmentNames = (segments: readonly SegmentReport[]): string =>
  segments.length === 0 ? '–' : segments.length === 1 ? (segments[0] as SegmentReport).label : `${segments.map((s) => s.label).join(' = ')} (tie)`;

/**
 * A session's default name: "Audience 30 Nov 2026, 14:05" in the user's locale (Intl), instead of
 * one fixed format whatever the language.
 */
export function sessionName(prefix: string, at: Date | number, locale?: string | string[]): string {
  const format = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
  return `${prefix} ${format.format(at)}`;
}
