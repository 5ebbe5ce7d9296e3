/**
 * Audience mode's session data: what one recording (live camera or video file) keeps. Only numbers:
 * boxes, labels and probabilities per face per analysed frame, and the operator's markers; never a
 * picture. The same shape is stored in IndexedDB, exported as JSON and imported back, so the zod
 * schemas here are the one definition of the format.
 */
import { argMax, EXPRESSIONS, type Expression } from '@fer/core';
import { z } from 'zod';

/** Bumped on any incompatible change of the stored or exported shape. */
export const SESSION_FORMAT_VERSION = 1;

const finite = z.number().finite();
const probability = z.number().min(0).max(1);

/** One face in one frame: its tracker id, box [x, y, width, height] in frame pixels, smoothed probabilities (EXPRESSIONS order). */
export const faceSampleSchema = z.object({
  id: z.number().int().nonnegative(),
  box: z.tuple([finite, finite, finite, finite]),
  p: z.array(probability).length(EXPRESSIONS.length),
  /** Head yaw in degrees from the detector's keypoints (metrics.ts, yawFromKeypoints); absent in sessions recorded before it was kept. */
  yaw: z.number().min(-90).max(90).optional(),
});
export type FaceSample = z.infer<typeof faceSampleSchema>;

/** One analysed frame: milliseconds since the session started (pauses excluded; media time for a file). */
export const frameSampleSchema = z.object({
  t: finite.nonnegative(),
  faces: z.array(faceSampleSchema),
});
export type FrameSample = z.infer<typeof frameSampleSchema>;

/** A moment the operator named ('ad starts', 'punch line'). */
export const markerSchema = z.object({ t: finite.nonnegative(), label: z.string().min(1).max(200) });
export type Marker = z.infer<typeof markerSchema>;

/** Everything about a session except its frames (which are stored in chunks beside it). */
export const sessionMetaSchema = z.object({
  id: z.string().min(1).max(100),
  name: z.string().max(200),
  source: z.enum(['camera', 'file']),
  /** The video file's name, for file sessions. */
  sourceName: z.string().max(500).optional(),
  /** Epoch milliseconds. */
  createdAt: finite,
  /** Frame size in pixels, the boxes' coordinate system. */
  width: z.number().int().nonnegative(),
  height: z.number().int().nonnegative(),
  durationMs: finite.nonnegative(),
  frameCount: z.number().int().nonnegative(),
  markers: z.array(markerSchema),
  /** 'recording' left in storage means the tab closed mid-session: the frames saved so far are kept. */
  state: z.enum(['recording', 'paused', 'stopped']),
});
export type SessionMeta = z.infer<typeof sessionMetaSchema>;

/** A whole session in memory. */
export interface Session {
  meta: SessionMeta;
  frames: FrameSample[];
}

/** The label of a face sample: its most probable expression. */
export function labelOf(p: readonly number[]): Expression {
  return EXPRESSIONS[argMax(p)] as Expression;
}

/** Rounds for storage: 4 decimals are far below the model's own uncertainty and halve the size of exports. */
export function round(value: number, decimals = 4): number {
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
}

/** A new session id: time-ordered, unique enough for one browser's store. */
export function newSessionId(now = Date.now()): string {
  return `${now.toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
