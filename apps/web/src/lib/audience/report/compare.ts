/**
 * Comparison of two or more sessions (audience A, B, ...): their timelines aligned at the start or
 * at a marker they share, and their segments matched by marker label, with each session's
 * difference from the first (B - A) per metric.
 */
import { EXPRESSIONS } from '@fer/core';
import { analyzeSession, type AudienceReport, type MetricOptions, type SegmentReport } from '../metrics.js';
import type { Session } from '../session.js';

/** Where the sessions' clocks are lined up: their starts, or the first marker with this label in each. */
export type Alignment = { kind: 'start' } | { kind: 'marker'; label: string };

/** Marker labels every session has (in the first session's order): the choices for aligning. */
export function sharedMarkerLabels(sessions: readonly Session[]): string[] {
  const [first, ...rest] = sessions;
  if (first === undefined) return [];
  const labels = [...new Set([...first.meta.markers].sort((a, b) => a.t - b.t).map((m) => m.label))];
  return labels.filter((label) => rest.every((s) => s.meta.markers.some((m) => m.label === label)));
}

/** The session time (ms) that becomes 0 on the shared axis; undefined when the session lacks the marker. */
export function alignmentOffsetMs(session: Session, alignment: Alignment): number | undefined {
  if (alignment.kind === 'start') return 0;
  const marker = [...session.meta.markers].sort((a, b) => a.t - b.t).find((m) => m.label === alignment.label);
  return marker?.t;
}

/** One segment across the sessions: matched by label and by which occurrence of that label it is. */
export interface ComparedSegment {
  label: string;
  /** 0 for the first segment with this label in a session, 1 for the second... */
  occurrence: number;
  /** Per session, its segment (undefined when it has none like it). */
  segments: (SegmentReport | undefined)[];
  /** Per session, its difference from the first session (B - A); null where either lacks the value. */
  valenceDiff: (number | null)[];
  attentionDiff: (number | null)[];
  expressivenessDiff: (number | null)[];
  /** Per session, per expression (EXPRESSIONS order): share difference from the first session. */
  sharesDiff: (number[] | null)[];
}

const minus = (a: number | null | undefined, b: number | null | undefined): number | null =>
  a === null || a === undefined || b === null || b === undefined ? null : Math.round((b - a) * 1e4) / 1e4;

/** Matches segments by label and occurrence, in the first session's order, then any the first lacks. */
export function compareSegments(reports: readonly AudienceReport[]): ComparedSegment[] {
  const keyed = reports.map((r) => {
    const seen = new Map<string, number>();
    return r.segments.map((s) => {
      const occurrence = seen.get(s.label) ?? 0;
      seen.set(s.label, occurrence + 1);
      return { key: `${occurrence}\u0000${s.label}`, occurrence, segment: s };
    });
  });
  const order: { key: string; label: string; occurrence: number }[] = [];
  for (const list of keyed) {
    for (const { key, occurrence, segment } of list) if (!order.some((o) => o.key === key)) order.push({ key, label: segment.label, occurrence });
  }
  return order.map(({ key, label, occurrence }) => {
    const segments = keyed.map((list) => list.find((k) => k.key === key)?.segment);
    const a = segments[0];
    return {
      label,
      occurrence,
      segments,
      valenceDiff: segments.map((s) => minus(a?.valence, s?.valence)),
      attentionDiff: segments.map((s) => minus(a?.attention, s?.attention)),
      expressivenessDiff: segments.map((s) => minus(a?.expressiveness, s?.expressiveness)),
      sharesDiff: segments.map((s) =>
        a === undefined || s === undefined || a.faceFrames === 0 || s.faceFrames === 0
          ? null
          : EXPRESSIONS.map((_, k) => minus(a.shares[k], s.shares[k]) as number),
      ),
    };
  });
}

/** Everything the comparison view shows. */
export interface Comparison {
  reports: AudienceReport[];
  /** Per session, the time (ms) that is 0 on the shared axis. */
  offsetsMs: number[];
  /** The shared axis' range, seconds. */
  xMin: number;
  xMax: number;
  segments: ComparedSegment[];
}

/** Compares `sessions` aligned by `alignment` (sessions lacking the marker are aligned at their start). */
export function compareSessions(sessions: readonly Session[], alignment: Alignment, options: MetricOptions = {}): Comparison {
  const reports = sessions.map((s) => analyzeSession(s, options));
  const offsetsMs = sessions.map((s) => alignmentOffsetMs(s, alignment) ?? 0);
  const xMin = Math.min(0, ...offsetsMs.map((o) => -o / 1000));
  const xMax = Math.max(1, ...sessions.map((s, i) => (s.meta.durationMs - (offsetsMs[i] as number)) / 1000));
  return { reports, offsetsMs, xMin, xMax, segments: compareSegments(reports) };
}
