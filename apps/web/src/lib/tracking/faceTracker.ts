import { EXPRESSIONS, type Expression, type FaceBox } from '@fer/core';

/** Intersection over union of two boxes: 0 when disjoint, 1 when identical. */
export function iou(a: FaceBox, b: FaceBox): number {
  const width = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const height = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  if (width <= 0 || height <= 0) return 0;
  const intersection = width * height;
  return intersection / (a.width * a.height + b.width * b.height - intersection);
}

/**
 * Pairs boxes of two frames, greedily by highest IoU first (a face moves little between frames,
 * and there are few faces, so greedy equals optimal in practice). Returns, for each `current`
 * index, the matched `previous` index, or -1 when no previous box overlaps by `minIou`.
 */
export function matchByIou(previous: readonly FaceBox[], current: readonly FaceBox[], minIou: number): number[] {
  const pairs: { p: number; c: number; overlap: number }[] = [];
  previous.forEach((pb, p) =>
    current.forEach((cb, c) => {
      const overlap = iou(pb, cb);
      if (overlap >= minIou) pairs.push({ p, c, overlap });
    }),
  );
  pairs.sort((a, b) => b.overlap - a.overlap);
  const match = current.map(() => -1);
  const taken = new Set<number>();
  for (const { p, c } of pairs) {
    if (match[c] !== -1 || taken.has(p)) continue;
    match[c] = p;
    taken.add(p);
  }
  return match;
}

/** Distance between two boxes' centres, in units of their mean side (size-independent). */
export function centroidDistance(a: FaceBox, b: FaceBox): number {
  const dx = a.x + a.width / 2 - (b.x + b.width / 2);
  const dy = a.y + a.height / 2 - (b.y + b.height / 2);
  const side = (Math.sqrt(a.width * a.height) + Math.sqrt(b.width * b.height)) / 2;
  return Math.hypot(dx, dy) / Math.max(side, 1e-6);
}

/**
 * Second pass for boxes IoU left unmatched (a face that moved fast, or came back after a miss
 * with its box shifted): pairs them greedily by nearest centre, within `maxDistance` mean sides.
 * `match` is matchByIou's result and is completed in place.
 */
export function matchByCentroid(previous: readonly FaceBox[], current: readonly FaceBox[], match: number[], maxDistance: number): number[] {
  const taken = new Set(match.filter((p) => p !== -1));
  const pairs: { p: number; c: number; distance: number }[] = [];
  current.forEach((cb, c) => {
    if (match[c] !== -1) return;
    previous.forEach((pb, p) => {
      if (taken.has(p)) return;
      const distance = centroidDistance(pb, cb);
      if (distance <= maxDistance) pairs.push({ p, c, distance });
    });
  });
  pairs.sort((a, b) => a.distance - b.distance);
  for (const { p, c } of pairs) {
    if (match[c] !== -1 || taken.has(p)) continue;
    match[c] = p;
    taken.add(p);
  }
  return match;
}

/**
 * Weight of a new observation in an exponential moving average after `dtMs`, for a time
 * constant `tauMs`. Defined by elapsed time rather than per frame, so labels settle equally
 * fast at 8 and at 30 frames per second.
 */
export function smoothingWeight(dtMs: number, tauMs: number): number {
  if (tauMs <= 0) return 1;
  return 1 - Math.exp(-Math.max(0, dtMs) / tauMs);
}

/** One face followed across frames. Probabilities are indexed like EXPRESSIONS. */
export interface TrackedFace {
  /** Stable while the face stays matched; never reused. */
  id: number;
  box: FaceBox;
  /** Smoothed probabilities. */
  probabilities: Float32Array;
  expression: Expression;
  /** Smoothed probability of `expression`. */
  confidence: number;
}

/** A face found in the current frame with its raw (unsmoothed) probabilities. */
export interface FaceObservation {
  box: FaceBox;
  probabilities: Float32Array;
}

export interface FaceTrackerOptions {
  /** Minimum overlap for a box to continue a track. */
  minIou?: number;
  /** Smoothing time constant: larger is steadier but slower to follow a change. */
  tauMs?: number;
  /**
   * How long a face the detector missed keeps its id and history (grace period), so a brief miss
   * doesn't reset it. A face missed in fewer than `keepMissingFrames` frames is kept however long
   * they took, so slow analysis (a busy CPU, ~1 frame/s) doesn't reset every face every frame.
   */
  keepMissingMs?: number;
  keepMissingFrames?: number;
  /** Centroid fallback: an unmatched box continues a track whose centre is within this many face sides (0 turns it off). */
  maxCentroidDistance?: number;
}

interface Track extends TrackedFace {
  lastSeenMs: number;
  /** Frames in a row the face was not found in. */
  missed: number;
}

function withBest(track: Omit<TrackedFace, 'expression' | 'confidence'>): TrackedFace {
  let best = 0;
  track.probabilities.forEach((p, i) => {
    if (p > (track.probabilities[best] as number)) best = i;
  });
  return { ...track, expression: EXPRESSIONS[best] as Expression, confidence: track.probabilities[best] as number };
}

/** Follows faces across frames by box IoU and smooths each face's probabilities so labels don't flicker. */
export class FaceTracker {
  private tracks: Track[] = [];
  private nextId = 1;
  private readonly minIou: number;
  private readonly tauMs: number;
  private readonly keepMissingMs: number;
  private readonly keepMissingFrames: number;
  private readonly maxCentroidDistance: number;

  constructor(options: FaceTrackerOptions = {}) {
    this.minIou = options.minIou ?? 0.3;
    this.tauMs = options.tauMs ?? 300;
    this.keepMissingMs = options.keepMissingMs ?? 500;
    this.keepMissingFrames = options.keepMissingFrames ?? 1;
    this.maxCentroidDistance = options.maxCentroidDistance ?? 0.6;
  }

  /** Takes this frame's faces; returns their tracks in the same order as `observations`. */
  update(observations: readonly FaceObservation[], nowMs: number): TrackedFace[] {
    this.tracks = this.tracks.filter((t) => t.missed < this.keepMissingFrames || nowMs - t.lastSeenMs <= this.keepMissingMs);
    const trackBoxes = this.tracks.map((t) => t.box);
    const boxes = observations.map((o) => o.box);
    const match = matchByCentroid(trackBoxes, boxes, matchByIou(trackBoxes, boxes, this.minIou), this.maxCentroidDistance);
    const updated = observations.map((observation, i): Track => {
      const previous = this.tracks[match[i] as number];
      if (previous === undefined) {
        return {
          ...withBest({ id: this.nextId++, box: observation.box, probabilities: Float32Array.from(observation.probabilities) }),
          lastSeenMs: nowMs,
          missed: 0,
        };
      }
      const w = smoothingWeight(nowMs - previous.lastSeenMs, this.tauMs);
      const probabilities = previous.probabilities.map((p, k) => (1 - w) * p + w * (observation.probabilities[k] as number));
      return { ...withBest({ id: previous.id, box: observation.box, probabilities }), lastSeenMs: nowMs, missed: 0 };
    });
    const continued = new Set(match);
    const unseen = this.tracks.filter((_, p) => !continued.has(p)).map((t) => ({ ...t, missed: t.missed + 1 }));
    this.tracks = [...updated, ...unseen];
    return updated.map(({ lastSeenMs: _, missed: __, ...face }) => face);
  }

  /** Forgets every face (e.g. after the camera switched). */
  reset(): void {
    this.tracks = [];
  }
}
