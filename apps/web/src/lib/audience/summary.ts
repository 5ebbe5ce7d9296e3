/**
 * What a session says about its audience: expression shares over time (the reaction curve), each
 * face's timeline, shares per segment between markers, the dominant expression and peak moments.
 * Pure functions of the session data, so the charts, the JSON summary and imported sessions agree.
 */
import { EXPRESSIONS, type Expression } from '@fer/core';
import { labelOf, round, type FrameSample, type Marker, type Session } from './session.js';

/** Share of faces showing each expression, EXPRESSIONS order; all 0 when no face was seen. */
export type Shares = number[];

/** Shares of the labels of every face in `frames` (each face in each frame counts once). */
export function sharesOf(frames: readonly FrameSample[]): { shares: Shares; faceFrames: number } {
  const counts = EXPRESSIONS.map(() => 0);
  let faceFrames = 0;
  for (const frame of frames) {
    for (const face of frame.faces) {
      counts[EXPRESSIONS.indexOf(labelOf(face.p))]! += 1;
      faceFrames++;
    }
  }
  return { shares: counts.map((c) => (faceFrames === 0 ? 0 : c / faceFrames)), faceFrames };
}

/** The most common expression of `shares`, or undefined when there were no faces. */
export function dominantOf(shares: Shares): Expression | undefined {
  if (shares.every((s) => s === 0)) return undefined;
  return labelOf(shares);
}

/** The reaction curve: time bins (start, seconds) with the shares of each expression and the face count in them. */
export interface SharesSeries {
  /** Bin start times in seconds. */
  t: number[];
  /** shares[k][i]: share of expression k in bin i. */
  shares: number[][];
  /** Mean number of faces per frame in each bin. */
  faces: number[];
}

/** Bins frames by `binMs` of session time; bins without frames are left out (a paused file has none). */
export function sharesOverTime(frames: readonly FrameSample[], binMs: number): SharesSeries {
  const series: SharesSeries = { t: [], shares: EXPRESSIONS.map(() => []), faces: [] };
  let start = 0;
  while (start < frames.length) {
    const bin = Math.floor((frames[start] as FrameSample).t / binMs);
    let end = start;
    while (end < frames.length && Math.floor((frames[end] as FrameSample).t / binMs) === bin) end++;
    const slice = frames.slice(start, end);
    const { shares, faceFrames } = sharesOf(slice);
    series.t.push((bin * binMs) / 1000);
    shares.forEach((s, k) => series.shares[k]!.push(s));
    series.faces.push(faceFrames / slice.length);
    start = end;
  }
  return series;
}

/** One face's smoothed probabilities over time. */
export interface FaceTimeline {
  id: number;
  /** Seconds. */
  t: number[];
  /** p[k][i]: probability of expression k at t[i]. */
  p: number[][];
}

/** Per-face timelines, by id in order of first appearance. */
export function faceTimelines(frames: readonly FrameSample[]): FaceTimeline[] {
  const byId = new Map<number, FaceTimeline>();
  for (const frame of frames) {
    for (const face of frame.faces) {
      let line = byId.get(face.id);
      if (line === undefined) byId.set(face.id, (line = { id: face.id, t: [], p: EXPRESSIONS.map(() => []) }));
      line.t.push(frame.t / 1000);
      face.p.forEach((p, k) => line.p[k]!.push(p));
    }
  }
  return [...byId.values()];
}

/** A stretch of the session between two markers (or its start/end). */
export interface Segment {
  /** The marker that opens it; 'start' before the first marker. */
  label: string;
  fromMs: number;
  toMs: number;
  frames: number;
  shares: Shares;
  dominant: Expression | undefined;
}

/** Splits the session at its markers; every frame falls in exactly one segment. */
export function segments(frames: readonly FrameSample[], markers: readonly Marker[], durationMs: number): Segment[] {
  const sorted = [...markers].sort((a, b) => a.t - b.t);
  const bounds = [{ t: 0, label: 'start' }, ...sorted.filter((m) => m.t > 0), { t: Number.POSITIVE_INFINITY, label: 'end' }];
  if (sorted[0]?.t === 0) bounds[0] = { t: 0, label: sorted[0].label };
  const result: Segment[] = [];
  for (let i = 0; i + 1 < bounds.length; i++) {
    const from = bounds[i]!.t;
    const to = bounds[i + 1]!.t;
    const inside = frames.filter((f) => f.t >= from && f.t < to);
    const { shares } = sharesOf(inside);
    result.push({
      label: bounds[i]!.label,
      fromMs: from,
      toMs: Math.min(to, durationMs),
      frames: inside.length,
      shares: shares.map((s) => round(s)),
      dominant: dominantOf(shares),
    });
  }
  return result;
}

/** When an expression was most shared across the audience. */
export interface Peak {
  expression: Expression;
  /** Start of the bin, milliseconds. */
  atMs: number;
  share: number;
}

/** For each expression that was seen, the time bin where its share peaked (earliest on ties). */
export function peaks(series: SharesSeries): Peak[] {
  const result: Peak[] = [];
  EXPRESSIONS.forEach((expression, k) => {
    const values = series.shares[k] as number[];
    let best = -1;
    values.forEach((v, i) => {
      if (v > 0 && (best === -1 || v > (values[best] as number))) best = i;
    });
    if (best !== -1) result.push({ expression, atMs: round((series.t[best] as number) * 1000, 1), share: round(values[best] as number) });
  });
  return result;
}

/** The JSON summary's numbers. */
export interface SessionSummary {
  durationMs: number;
  frames: number;
  /** Distinct face ids seen. */
  faces: number;
  /** Most faces seen in one frame. */
  maxFacesInFrame: number;
  shares: Shares;
  dominant: Expression | undefined;
  segments: Segment[];
  peaks: Peak[];
}

/** Bin used for peak moments: long enough to smooth detector jitter, short enough to find a punch line. */
export const PEAK_BIN_MS = 1000;

export function summarize(session: Session): SessionSummary {
  const { frames, meta } = session;
  const { shares } = sharesOf(frames);
  return {
    durationMs: meta.durationMs,
    frames: frames.length,
    faces: new Set(frames.flatMap((f) => f.faces.map((face) => face.id))).size,
    maxFacesInFrame: frames.reduce((m, f) => Math.max(m, f.faces.length), 0),
    shares: shares.map((s) => round(s)),
    dominant: dominantOf(shares),
    segments: segments(frames, meta.markers, meta.durationMs),
    peaks: peaks(sharesOverTime(frames, PEAK_BIN_MS)),
  };
}
