/**
 * The spreadsheet side of the audience report: a markers CSV (where each segment starts and ends)
 * and a per-second CSV (the audience's trace: faces, valence, expressiveness, attention and the
 * share of each expression), both from the metrics module so they match what the page shows.
 * Written as separate CSV files, so any spreadsheet opens them without unpacking anything.
 */
import { EXPRESSIONS } from '@fer/core';
import { analyzeSession, type AudienceReport, type MetricOptions } from './metrics.js';
import type { Session } from './session.js';

/** One CSV field (RFC 4180): quoted when it holds a comma, quote or line break; numbers as they are; null/undefined empty. */
export function csvField(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A CSV document from rows of fields, '\n' line ends. */
export function csvLines(rows: readonly (readonly (string | number | boolean | null | undefined)[])[]): string {
  return `${rows.map((r) => r.map(csvField).join(',')).join('\n')}\n`;
}

export const MARKERS_CSV_HEADER = ['segment', 'label', 'start_s', 'end_s', 'duration_s'];

/** One row per segment: its index (the per-frame and per-second CSVs' `segment_index`), the marker that opens it, start, end. */
export function toMarkersCsv(session: Session, report: AudienceReport = analyzeSession(session)): string {
  const seconds = (ms: number) => (ms / 1000).toFixed(3);
  return csvLines([MARKERS_CSV_HEADER, ...report.segments.map((s) => [s.index, s.label, seconds(s.fromMs), seconds(s.toMs), seconds(s.durationMs)])]);
}

export const PER_SECOND_CSV_HEADER = [
  'start_s',
  'end_s',
  'segment_index',
  'segment',
  'frames',
  'faces',
  'mean_faces',
  'valence',
  'expressiveness',
  'attention',
  ...EXPRESSIONS.map((e) => `share_${e}`),
];

/** One row per second of session time (split at markers), seconds without an analysed frame left out. */
export function toPerSecondCsv(session: Session, options: MetricOptions = {}, report: AudienceReport = analyzeSession(session, options)): string {
  const seconds = (ms: number) => (ms / 1000).toFixed(3);
  return csvLines([
    PER_SECOND_CSV_HEADER,
    ...report.bins.map((b) => [
      seconds(b.fromMs),
      seconds(b.toMs),
      b.segment,
      report.segments[b.segment]?.label,
      b.frames,
      b.faces,
      b.meanFaces,
      b.valence,
      b.expressiveness,
      b.attention,
      ...b.shares,
    ]),
  ]);
}
