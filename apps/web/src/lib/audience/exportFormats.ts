/**
 * Export and import of sessions: a per-frame CSV for spreadsheets, and a JSON document with the
 * summary (segments between markers, dominant expression, peaks) plus every frame, which imports
 * back into the app. Imports are validated with the session schemas and checked for consistency.
 */
import { EXPRESSIONS } from '@fer/core';
import { z } from 'zod';
import {
  analyzeSession,
  expressivenessOf,
  isAttentive,
  METRIC_DEFINITIONS,
  segmentBounds,
  segmentIndexAt,
  valenceOf,
  type AudienceReport,
} from './metrics.js';
import { csvLines } from './reportExports.js';
import { frameSampleSchema, labelOf, round, SESSION_FORMAT_VERSION, sessionMetaSchema, type Session } from './session.js';
import { summarize, type SessionSummary } from './summary.js';

/**
 * CSV columns: one row per face per analysed frame; then the segment the frame lies in (its index
 * in the markers CSV, and the label of the marker that opened it) and the face's metrics (metrics.ts).
 */
export const CSV_HEADER = [
  'time_s',
  'face_id',
  'x',
  'y',
  'width',
  'height',
  'label',
  ...EXPRESSIONS.map((e) => `p_${e}`),
  'segment_index',
  'segment',
  'valence',
  'expressiveness',
  'yaw_deg',
  'attentive',
];

/** Per-frame CSV (RFC 4180, '\n' line ends). A frame without faces gives one row with an empty face id, so pauses in attention show. */
export function toCsv(session: Session): string {
  const bounds = segmentBounds(session.meta.markers, session.meta.durationMs);
  const rows: (string | number | boolean | undefined)[][] = [CSV_HEADER];
  for (const frame of session.frames) {
    const time = (frame.t / 1000).toFixed(3);
    const index = segmentIndexAt(bounds, frame.t);
    const segment = [index, bounds[index]?.label];
    if (frame.faces.length === 0) rows.push([time, '', '', '', '', '', '', ...EXPRESSIONS.map(() => ''), ...segment, '', '', '', '']);
    for (const face of frame.faces) {
      const attentive = isAttentive(face);
      rows.push([
        time,
        face.id,
        ...face.box,
        labelOf(face.p),
        ...face.p,
        ...segment,
        round(valenceOf(face.p)),
        round(expressivenessOf(face.p)),
        face.yaw,
        attentive === undefined ? '' : attentive ? 1 : 0,
      ]);
    }
  }
  return csvLines(rows);
}

const FORMAT = 'fer-audience-session';

/** The exported JSON document. */
export interface SessionDocument {
  format: typeof FORMAT;
  version: number;
  labels: string[];
  session: Session['meta'];
  summary: SessionSummary;
  /** The metrics (metrics.ts): their definitions and version, and the report computed from the frames (derived, like the summary). */
  metrics: { definitions: typeof METRIC_DEFINITIONS; report: AudienceReport };
  frames: Session['frames'];
}

export function toJson(session: Session): string {
  const doc: SessionDocument = {
    format: FORMAT,
    version: SESSION_FORMAT_VERSION,
    labels: [...EXPRESSIONS],
    session: session.meta,
    summary: summarize(session),
    metrics: { definitions: METRIC_DEFINITIONS, report: analyzeSession(session) },
    frames: session.frames,
  };
  return JSON.stringify(doc);
}

const documentSchema = z.object({
  format: z.literal(FORMAT),
  version: z.literal(SESSION_FORMAT_VERSION),
  labels: z.array(z.string()),
  session: sessionMetaSchema,
  // The summary is derived: recomputed on import, never trusted.
  summary: z.unknown(),
  metrics: z.unknown(),
  frames: z.array(frameSampleSchema),
});

/** Why an import was refused, in words for the user. */
export class ImportError extends Error {
  override name = 'ImportError';
}

/**
 * The largest file an import reads. A session at 10 frames/s takes roughly 2.5 KB per face per
 * second of JSON (9 MB per face-hour), so 64 MB holds about 7 face-hours; reading and parsing a much
 * larger file would take several times its size in memory and could crash a phone's tab.
 */
export const MAX_IMPORT_BYTES = 64 * 1024 * 1024;

const megabytes = (bytes: number) => `${(bytes / (1024 * 1024)).toFixed(1)} MB`;

/**
 * Reads and parses a session file the user picked, refusing one over `limit` bytes before reading
 * it (Blob.size is known without reading).
 */
export async function readSessionFile(file: Pick<Blob, 'size' | 'text'>, limit = MAX_IMPORT_BYTES): Promise<Session> {
  if (file.size > limit) {
    throw new ImportError(
      `This file is ${megabytes(file.size)}; session files over ${megabytes(limit)} can't be imported. Choose a session exported by this app (.json).`,
    );
  }
  return fromJson(await file.text());
}

/** Parses an exported JSON document back into a session (stopped, whatever it was when exported). */
export function fromJson(text: string): Session {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new ImportError('This file is not JSON. Choose a session exported by this app (.json).');
  }
  const parsed = documentSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined ? '' : ` (${issue.path.join('.') || 'document'}: ${issue.message})`;
    throw new ImportError(`This is not a session exported by this app, or it is from an incompatible version${where}.`);
  }
  const doc = parsed.data;
  if (doc.labels.join(',') !== EXPRESSIONS.join(',')) {
    throw new ImportError(`The session uses other expression labels (${doc.labels.join(', ')}) than this app.`);
  }
  for (let i = 1; i < doc.frames.length; i++) {
    if ((doc.frames[i] as { t: number }).t < (doc.frames[i - 1] as { t: number }).t) throw new ImportError(`Frame ${i} goes back in time.`);
  }
  return { meta: { ...doc.session, frameCount: doc.frames.length, state: 'stopped' }, frames: doc.frames };
}
