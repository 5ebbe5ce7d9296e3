/**
 * The audience metrics a marketer reads: valence, expressiveness, attention and face count per
 * face and frame; their aggregates per time bin (one second by default) across the audience and
 * per segment between markers; and key moments (peaks) that a one-frame blip cannot produce.
 *
 * Pure functions of the session data, so the on-screen report, the printed report, the exports and
 * the comparison of sessions all show the same numbers. {@link METRIC_DEFINITIONS} says each in
 * words; the JSON export carries it with {@link METRICS_VERSION}.
 */
import { EXPRESSIONS, type Expression } from '@fer/core';
import { round, type FaceSample, type FrameSample, type Marker, type Session } from './session.js';

/** Bumped whenever a definition or default below changes what a number means. */
export const METRICS_VERSION = 1;

// ---------------------------------------------------------------------------------------------
// Per face and frame
// ---------------------------------------------------------------------------------------------

/**
 * Weight of each expression's probability in valence. Happiness is the one pleasant basic
 * expression; anger, disgust, fear and sadness are unpleasant; neutral and surprise lie on the
 * arousal axis of Russell's circumplex of affect (Russell 1980, "A circumplex model of affect",
 * J. Pers. Soc. Psychol. 39(6):1161-1178: "astonished"/"surprised" sits at high arousal and near-zero
 * pleasure) and so weigh 0: a surprised audience is neither won nor lost until it smiles or frowns.
 */
export const VALENCE_WEIGHTS: Readonly<Record<Expression, number>> = {
  angry: -1,
  disgust: -1,
  fear: -1,
  happy: 1,
  neutral: 0,
  sad: -1,
  surprise: 0,
};

/**
 * Valence of one face: sum of P(expression) x weight = P(happy) - (P(angry) + P(disgust) + P(fear) +
 * P(sad)), in [-1, 1]: 1 all smiles, -1 all negative expressions, 0 neutral, surprised or balanced.
 */
export function valenceOf(p: readonly number[]): number {
  let v = 0;
  EXPRESSIONS.forEach((e, k) => (v += VALENCE_WEIGHTS[e] * (p[k] ?? 0)));
  return Math.max(-1, Math.min(1, v));
}

const NEUTRAL = EXPRESSIONS.indexOf('neutral');

/** Expressiveness of one face: 1 - P(neutral), in [0, 1]: how far the face is from a resting one, whatever it shows. */
export function expressivenessOf(p: readonly number[]): number {
  return Math.max(0, Math.min(1, 1 - (p[NEUTRAL] ?? 0)));
}

/** A detector keypoint in pixels. */
export interface Keypoint {
  x: number;
  y: number;
}

/**
 * A head seen from the front, in centimetres (x to the image's right, z toward the camera, origin
 * midway between the ear tragions), from adult anthropometric means (Farkas, "Anthropometry of the
 * Head and Face", 1994): bitragion breadth ~14.5 cm; the nose tip ~10.5 cm in front of the
 * tragions. Only the ratio of these two numbers enters the yaw estimate.
 */
export const HEAD_MODEL_CM = { tragionHalfBreadth: 7.25, noseDepth: 10.5 } as const;

/**
 * Keypoint order of MediaPipe's short-range face detector (BlazeFace): right eye, left eye, nose
 * tip, mouth centre, right ear tragion, left ear tragion (the person's right and left).
 */
export const KEYPOINT = { rightEye: 0, leftEye: 1, nose: 2, mouth: 3, rightEar: 4, leftEar: 5 } as const;

/**
 * Head yaw in degrees estimated from BlazeFace keypoints: 0 facing the camera, positive with the
 * nose toward the image's right, up to +-90. Turning a head by yaw θ moves (seen from far, an
 * orthographic view) the tragions to ±b·cos θ and the nose tip to d·sin θ about the tragions'
 * midpoint, so tan θ = (b/d) · (nose - tragion midpoint) / (half the tragion span), with b and d
 * from {@link HEAD_MODEL_CM}. Undefined without the six keypoints or with coincident tragions.
 */
export function yawFromKeypoints(keypoints: readonly Keypoint[]): number | undefined {
  const nose = keypoints[KEYPOINT.nose];
  const right = keypoints[KEYPOINT.rightEar];
  const left = keypoints[KEYPOINT.leftEar];
  if (nose === undefined || right === undefined || left === undefined) return undefined;
  const halfSpan = Math.abs(left.x - right.x) / 2;
  const offset = nose.x - (left.x + right.x) / 2;
  if (!Number.isFinite(halfSpan) || !Number.isFinite(offset)) return undefined;
  if (halfSpan < 1e-6) return offset === 0 ? undefined : Math.sign(offset) * 90;
  const { tragionHalfBreadth: b, noseDepth: d } = HEAD_MODEL_CM;
  return (Math.atan2((b / d) * offset, halfSpan) * 180) / Math.PI;
}

/**
 * Largest |yaw| at which a face counts as attentive (turned toward the camera or the screen beside
 * it). 30° keeps a viewer glancing at a screen a little off the camera's axis and drops one
 * talking to a neighbour (~45° and more).
 */
export const ATTENTION_MAX_YAW_DEG = 30;

/** Whether a recorded face looks toward the camera; undefined when the session kept no yaw (recorded before version 1 of these metrics). */
export function isAttentive(face: Pick<FaceSample, 'yaw'>, maxYawDeg = ATTENTION_MAX_YAW_DEG): boolean | undefined {
  return face.yaw === undefined ? undefined : Math.abs(face.yaw) <= maxYawDeg;
}

// ---------------------------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------------------------

export interface MetricOptions {
  /** Aggregation bin, ms. Default 1000: the per-second traces the marketers' tools report. */
  binMs?: number;
  /** See {@link ATTENTION_MAX_YAW_DEG}. Default 30. */
  maxYawDeg?: number;
  /**
   * Bins in the running median applied before looking for key moments (odd). Default 3: a peak must
   * hold for two bins in a row, so one odd frame (a detector glitch, a cough) can't be the moment.
   */
  smoothBins?: number;
}

const defaults = (o: MetricOptions): Required<MetricOptions> => ({
  binMs: o.binMs ?? 1000,
  maxYawDeg: o.maxYawDeg ?? ATTENTION_MAX_YAW_DEG,
  smoothBins: o.smoothBins ?? 3,
});

// ---------------------------------------------------------------------------------------------
// Audience size and frame aggregates
// ---------------------------------------------------------------------------------------------

/**
 * The audience's size: the most faces seen in a frame, after a running median over three frames
 * (a false detection in one frame does not add a viewer; a face that turned away is not lost).
 * Attention is counted against it, since a viewer who turns fully away is often not detected at all.
 */
export function audienceSize(frames: readonly FrameSample[]): number {
  return runningMedian(
    frames.map((f) => f.faces.length),
    3,
  ).reduce((m, c) => Math.max(m, c), 0);
}

/** Indices of the most probable expressions of one face: one, or several when tied (each then counts 1/n in the shares). */
export function tiedLabels(p: readonly number[]): number[] {
  const best = Math.max(...p);
  return p.flatMap((v, k) => (v === best ? [k] : []));
}

/** Sums over a set of frames, from which every aggregate is a ratio. */
interface Tally {
  frames: number;
  faceFrames: number;
  labelCounts: number[];
  valence: number;
  expressiveness: number;
  /** Frames whose attention is known (every face kept a yaw). */
  attentionFrames: number;
  /** Sum over those frames of attentive faces / audience size (capped at 1). */
  attention: number;
  ids: Set<number>;
}

const emptyTally = (): Tally => ({
  frames: 0,
  faceFrames: 0,
  labelCounts: EXPRESSIONS.map(() => 0),
  valence: 0,
  expressiveness: 0,
  attentionFrames: 0,
  attention: 0,
  ids: new Set(),
});

function add(tally: Tally, frame: FrameSample, audience: number, maxYawDeg: number): void {
  tally.frames++;
  let attentive = 0;
  let known = true;
  for (const face of frame.faces) {
    tally.faceFrames++;
    const tied = tiedLabels(face.p);
    for (const k of tied) tally.labelCounts[k]! += 1 / tied.length;
    tally.valence += valenceOf(face.p);
    tally.expressiveness += expressivenessOf(face.p);
    tally.ids.add(face.id);
    const a = isAttentive(face, maxYawDeg);
    if (a === undefined) known = false;
    else if (a) attentive++;
  }
  if (known && audience > 0) {
    tally.attentionFrames++;
    tally.attention += Math.min(1, attentive / audience);
  }
}

/** The audience's numbers over a stretch of frames; null where nothing was seen to average. */
export interface Aggregate {
  frames: number;
  /** Face detections (each face in each frame once). */
  faceFrames: number;
  /** Distinct face ids. */
  faces: number;
  /** Mean faces per frame. */
  meanFaces: number;
  /** Share of face detections whose most probable expression is each one (EXPRESSIONS order; a face with a tie counts 1/n for each of its n tied expressions). */
  shares: number[];
  /** Mean over face detections. */
  valence: number | null;
  expressiveness: number | null;
  /** Mean over frames of attentive faces / audience size. */
  attention: number | null;
}

function toAggregate(t: Tally): Aggregate {
  const per = (sum: number, n: number) => (n === 0 ? null : round(sum / n));
  return {
    frames: t.frames,
    faceFrames: t.faceFrames,
    faces: t.ids.size,
    meanFaces: t.frames === 0 ? 0 : round(t.faceFrames / t.frames, 2),
    shares: t.labelCounts.map((c) => (t.faceFrames === 0 ? 0 : round(c / t.faceFrames))),
    valence: per(t.valence, t.faceFrames),
    expressiveness: per(t.expressiveness, t.faceFrames),
    attention: per(t.attention, t.attentionFrames),
  };
}

/** Aggregates `frames` against an audience of `audience` faces. */
export function aggregate(frames: readonly FrameSample[], audience: number, options: MetricOptions = {}): Aggregate {
  const { maxYawDeg } = defaults(options);
  const tally = emptyTally();
  for (const frame of frames) add(tally, frame, audience, maxYawDeg);
  return toAggregate(tally);
}

/** One time bin of the audience's trace. */
export interface Bin extends Aggregate {
  /** The bin's start and end, ms (clipped to the segment it belongs to). */
  fromMs: number;
  toMs: number;
  /** Index of the segment the bin lies in (bins never straddle a marker). */
  segment: number;
}

// ---------------------------------------------------------------------------------------------
// Segments
// ---------------------------------------------------------------------------------------------

/** A stretch between two markers (or the session's start or end). */
export interface SegmentBounds {
  index: number;
  /** The opening marker's label; 'Start' before the first marker. */
  label: string;
  fromMs: number;
  toMs: number;
}

/** Splits [0, durationMs] at the markers; a marker at 0 names the first segment. Every time falls in exactly one segment. */
export function segmentBounds(markers: readonly Marker[], durationMs: number): SegmentBounds[] {
  const sorted = [...markers].sort((a, b) => a.t - b.t);
  const starts: { t: number; label: string }[] = [{ t: 0, label: 'Start' }];
  for (const m of sorted) {
    if (m.t <= 0) starts[0] = { t: 0, label: m.label };
    else starts.push({ t: m.t, label: m.label });
  }
  return starts.map((s, i) => ({
    index: i,
    label: s.label,
    fromMs: s.t,
    toMs: i + 1 < starts.length ? (starts[i + 1] as { t: number }).t : Math.max(durationMs, s.t),
  }));
}

/** The segment a time falls in (the last segment holds the session's end and anything after). */
export function segmentIndexAt(bounds: readonly SegmentBounds[], tMs: number): number {
  let index = 0;
  for (const b of bounds) if (tMs >= b.fromMs) index = b.index;
  return index;
}

// ---------------------------------------------------------------------------------------------
// Key moments
// ---------------------------------------------------------------------------------------------

/** Running median over `window` values (odd), the window truncated at the ends; an even-sized truncated window takes its lower median, so an edge blip backed by no neighbour is not kept. */
export function runningMedian(values: readonly number[], window: number): number[] {
  const half = Math.floor(Math.max(1, window) / 2);
  return values.map((_, i) => {
    const slice = values.slice(Math.max(0, i - half), Math.min(values.length, i + half + 1)).sort((a, b) => a - b);
    return slice[Math.floor((slice.length - 1) / 2)] as number;
  });
}

/** What a key moment is the peak of. */
export type MomentMetric = 'valence-high' | 'valence-low' | Expression;

/** A metric's extreme over the bins: every stretch where the smoothed value reaches it (more than one = a tie). */
export interface KeyMoment {
  metric: MomentMetric;
  /** The smoothed value at the extreme (a share, or valence). */
  value: number;
  /** Where it is reached: consecutive tied bins merge into one stretch; several stretches are a tie. */
  at: { fromMs: number; toMs: number }[];
}

/**
 * Key moments of a run of bins: the highest and lowest valence, and for each expression the bins
 * where its share peaks (none for an expression never shown). Values are smoothed by a running
 * median of `smoothBins` bins and rounded to 4 decimals before comparing, so equal values tie; a
 * moment's bins are those whose smoothed value is the extreme and whose own value reaches it.
 */
export function keyMoments(bins: readonly Bin[], options: MetricOptions = {}): KeyMoment[] {
  const { smoothBins } = defaults(options);
  const moments: KeyMoment[] = [];
  const find = (metric: MomentMetric, values: (number | null)[], sign: 1 | -1, requirePositive: boolean) => {
    const present = bins.map((b, i) => ({ b, v: values[i] as number | null })).filter((x): x is { b: Bin; v: number } => x.v !== null);
    if (present.length === 0) return;
    const smoothed = runningMedian(
      present.map((x) => x.v),
      smoothBins,
    ).map((v) => round(v));
    const extreme = sign === 1 ? Math.max(...smoothed) : Math.min(...smoothed);
    if (requirePositive && extreme <= 0) return;
    const at: { fromMs: number; toMs: number }[] = [];
    smoothed.forEach((v, i) => {
      // The median can lend a bin its neighbours' value; a bin is part of the moment only if it reached it itself.
      const raw = round((present[i] as { v: number }).v);
      if (v !== extreme || sign * (raw - extreme) < 0) return;
      const { fromMs, toMs } = (present[i] as { b: Bin }).b;
      const last = at[at.length - 1];
      // Bins that touch (the next starts where the last ended) make one stretch.
      if (last !== undefined && Math.abs(last.toMs - fromMs) < 1e-6) last.toMs = toMs;
      else at.push({ fromMs, toMs });
    });
    moments.push({ metric, value: extreme, at });
  };
  find(
    'valence-high',
    bins.map((b) => b.valence),
    1,
    false,
  );
  find(
    'valence-low',
    bins.map((b) => b.valence),
    -1,
    false,
  );
  EXPRESSIONS.forEach((e, k) =>
    find(
      e,
      bins.map((b) => (b.faceFrames === 0 ? null : (b.shares[k] as number))),
      1,
      true,
    ),
  );
  return moments;
}

/** The expressions sharing the highest share (several when tied); empty when no face was seen. */
export function topExpressions(shares: readonly number[]): Expression[] {
  const best = Math.max(...shares);
  if (!(best > 0)) return [];
  return EXPRESSIONS.filter((_, k) => round(shares[k] as number) === round(best));
}

// ---------------------------------------------------------------------------------------------
// The whole session
// ---------------------------------------------------------------------------------------------

export interface SegmentReport extends SegmentBounds, Aggregate {
  durationMs: number;
  /** Most shared expression(s); several on a tie. */
  top: Expression[];
  /** Key moments within the segment. */
  moments: KeyMoment[];
}

/** One face over the session. */
export interface FaceReport extends Aggregate {
  id: number;
  firstMs: number;
  lastMs: number;
  top: Expression[];
}

export interface AudienceReport {
  version: typeof METRICS_VERSION;
  options: Required<MetricOptions>;
  durationMs: number;
  /** See {@link audienceSize}. */
  audienceSize: number;
  /** Most faces in one frame (unfiltered). */
  maxFacesInFrame: number;
  overall: Aggregate & { top: Expression[] };
  /** The per-second trace; bins without frames are left out (a paused file has none). */
  bins: Bin[];
  segments: SegmentReport[];
  moments: KeyMoment[];
  faces: FaceReport[];
}

/** Bins `frames` (sorted by time) on the absolute `binMs` grid, split at segment bounds. */
export function binFrames(frames: readonly FrameSample[], bounds: readonly SegmentBounds[], audience: number, options: MetricOptions = {}): Bin[] {
  const { binMs, maxYawDeg } = defaults(options);
  const bins: Bin[] = [];
  let current: { key: string; tally: Tally; fromMs: number; toMs: number; segment: number } | undefined;
  const flush = () => {
    if (current !== undefined) bins.push({ ...toAggregate(current.tally), fromMs: current.fromMs, toMs: current.toMs, segment: current.segment });
  };
  for (const frame of frames) {
    const segment = segmentIndexAt(bounds, frame.t);
    const bin = Math.floor(frame.t / binMs);
    const key = `${segment}:${bin}`;
    if (current?.key !== key) {
      flush();
      const s = bounds[segment] as SegmentBounds;
      current = {
        key,
        tally: emptyTally(),
        fromMs: Math.max(bin * binMs, s.fromMs),
        toMs: segment === bounds.length - 1 ? (bin + 1) * binMs : Math.min((bin + 1) * binMs, s.toMs),
        segment,
      };
    }
    add(current.tally, frame, audience, maxYawDeg);
  }
  flush();
  return bins;
}

/** Every metric of a session: overall, per second, per segment, per face, and key moments. */
export function analyzeSession(session: Session, options: MetricOptions = {}): AudienceReport {
  const opts = defaults(options);
  const { frames, meta } = session;
  const audience = audienceSize(frames);
  const bounds = segmentBounds(meta.markers, meta.durationMs);
  const bins = binFrames(frames, bounds, audience, opts);
  const overall = aggregate(frames, audience, opts);

  const segments = bounds.map((b): SegmentReport => {
    const inside = frames.filter((f) => segmentIndexAt(bounds, f.t) === b.index);
    const agg = aggregate(inside, audience, opts);
    return {
      ...b,
      ...agg,
      durationMs: Math.max(0, b.toMs - b.fromMs),
      top: topExpressions(agg.shares),
      moments: keyMoments(
        bins.filter((bin) => bin.segment === b.index),
        opts,
      ),
    };
  });

  const byFace = new Map<number, { frames: FrameSample[]; firstMs: number; lastMs: number }>();
  for (const frame of frames) {
    for (const face of frame.faces) {
      let entry = byFace.get(face.id);
      if (entry === undefined) byFace.set(face.id, (entry = { frames: [], firstMs: frame.t, lastMs: frame.t }));
      entry.frames.push({ t: frame.t, faces: [face] });
      entry.lastMs = frame.t;
    }
  }
  const faces = [...byFace.entries()].map(([id, e]): FaceReport => {
    // One face's attention is measured against an audience of one.
    const agg = aggregate(e.frames, 1, opts);
    return { id, firstMs: e.firstMs, lastMs: e.lastMs, ...agg, top: topExpressions(agg.shares) };
  });

  return {
    version: METRICS_VERSION,
    options: opts,
    durationMs: meta.durationMs,
    audienceSize: audience,
    maxFacesInFrame: frames.reduce((m, f) => Math.max(m, f.faces.length), 0),
    overall: { ...overall, top: topExpressions(overall.shares) },
    bins,
    segments,
    moments: keyMoments(bins, opts),
    faces,
  };
}

/** The metrics in words, for the JSON export and the report's notes. */
export const METRIC_DEFINITIONS = {
  version: METRICS_VERSION,
  valence:
    "Per face and frame: P(happy) - (P(angry) + P(disgust) + P(fear) + P(sad)), from -1 to 1; neutral and surprise weigh 0 (they lie on the arousal axis of Russell's circumplex of affect, 1980). Aggregates: mean over face detections.",
  expressiveness: 'Per face and frame: 1 - P(neutral), from 0 to 1. Aggregates: mean over face detections.',
  attention: `A face is attentive when present and its head yaw, estimated from the face detector's nose-tip and ear-tragion keypoints, is within ±${ATTENTION_MAX_YAW_DEG}°. Per frame: attentive faces / audience size (the most faces seen in a frame after a 3-frame running median), at most 1. Aggregates: mean over frames. Empty for sessions recorded without yaw.`,
  share:
    'Share of an expression: the fraction of face detections (each face in each frame once) whose most probable expression it is; a face whose top probabilities tie counts 1/n for each of the n tied expressions.',
  faces: 'faces: distinct tracked face ids; mean_faces: face detections per frame.',
  bins: 'Per-second aggregates on the session clock, split at markers.',
  keyMoments:
    'The bins where a metric peaks after a running median over 3 bins (so a peak holds at least two bins and a one-frame blip cannot make one); several stretches at the same value are a tie.',
} as const;
