/**
 * "Unsure": a prediction the app shows as a guess rather than an answer. Calibrated probabilities
 * say how often a label is right, but "neutral 28%" next to "surprise 22%" still reads as definite
 * in a box label. So a face is unsure when its top probability is below `minTop` or its lead over
 * the second is below `minMargin`; both thresholds are chosen on labelled faces the model was not
 * fitted on by scripts/choose-unsure-threshold.ts, which records them in unsureThresholds.json.
 */
import { NUM_EXPRESSIONS } from '@fer/core';

/** The two thresholds; a face below either is unsure. */
export interface UnsureThresholds {
  minTop: number;
  minMargin: number;
}

/** What the choosing script writes (unsureThresholds.json): the thresholds and the evidence for them. */
export interface UnsureThresholdRecord extends UnsureThresholds {
  /** Accuracy the sure faces had to reach. */
  target: number;
  /** The split chosen on, as packages/train names it. */
  split: string;
  faces: number;
  /** Accuracy of the shown (top) label over all faces of the split. */
  overallAccuracy: number;
  /** Share of faces shown as sure. */
  sureShare: number;
  /** Accuracy of the shown label on faces above the thresholds, and on faces below them. */
  sureAccuracy: number;
  unsureAccuracy: number;
  /** The model it was chosen for. */
  model: { createdAt: string; svmSha256: string; calibratedOn: string };
  /** The command that produced the record. */
  command: string;
  /** Why this split was used, when it is not the validation split. */
  note?: string;
}

/** Top probability, its lead over the second, and the index of the top class. */
export function topTwo(probabilities: ArrayLike<number>): { top: number; margin: number; index: number } {
  let best = -1;
  let second = -1;
  let index = 0;
  for (let i = 0; i < probabilities.length; i++) {
    const p = probabilities[i] ?? 0;
    if (p > best) {
      second = best;
      best = p;
      index = i;
    } else if (p > second) second = p;
  }
  return { top: Math.max(0, best), margin: Math.max(0, best - Math.max(0, second)), index };
}

/** Whether the shown label is a guess under `thresholds`. */
export function isUnsure(probabilities: ArrayLike<number>, thresholds: UnsureThresholds): boolean {
  const { top, margin } = topTwo(probabilities);
  return top < thresholds.minTop || margin < thresholds.minMargin;
}

/** One pair of thresholds, scored on labelled faces. */
export interface ThresholdCandidate extends UnsureThresholds {
  sureShare: number;
  sureAccuracy: number;
  /** NaN when no face is unsure. */
  unsureAccuracy: number;
}

/** The candidates the script tries: top probability 0.3-0.7 and margin 0-0.3, in steps of 0.05. */
export const UNSURE_GRID: readonly UnsureThresholds[] = Array.from({ length: 9 }, (_, t) =>
  Array.from({ length: 7 }, (_, m) => ({ minTop: 0.3 + 0.05 * t, minMargin: 0.05 * m })),
)
  .flat()
  .map((c) => ({ minTop: Math.round(c.minTop * 100) / 100, minMargin: Math.round(c.minMargin * 100) / 100 }));

/**
 * Scores every candidate on `probabilities` (row-major, NUM_EXPRESSIONS per face) against
 * `labels` (class indices), and keeps the one that shows the most faces as sure while the sure
 * faces' shown label is right at least `target` of the time (ties: the more accurate). When none
 * reaches it, the most accurate sure set wins.
 */
export function chooseThresholds(
  probabilities: Float32Array,
  labels: ArrayLike<number>,
  grid: readonly UnsureThresholds[],
  target: number,
): { chosen: ThresholdCandidate; table: ThresholdCandidate[]; overallAccuracy: number } {
  const count = labels.length;
  if (count === 0 || probabilities.length !== count * NUM_EXPRESSIONS) throw new Error('chooseThresholds needs one row of probabilities per label');
  const faces = Array.from({ length: count }, (_, i) => {
    const { top, margin, index } = topTwo(probabilities.subarray(i * NUM_EXPRESSIONS, (i + 1) * NUM_EXPRESSIONS));
    return { top, margin, right: index === labels[i] };
  });
  const table = grid.map((thresholds): ThresholdCandidate => {
    let sure = 0;
    let sureRight = 0;
    let unsureRight = 0;
    for (const face of faces) {
      if (face.top >= thresholds.minTop && face.margin >= thresholds.minMargin) {
        sure++;
        if (face.right) sureRight++;
      } else if (face.right) unsureRight++;
    }
    return {
      ...thresholds,
      sureShare: sure / count,
      sureAccuracy: sure === 0 ? 0 : sureRight / sure,
      unsureAccuracy: sure === count ? Number.NaN : unsureRight / (count - sure),
    };
  });
  const reaching = table.filter((c) => c.sureAccuracy >= target);
  const pool = reaching.length > 0 ? reaching : table;
  const better = (a: ThresholdCandidate, b: ThresholdCandidate) =>
    reaching.length > 0
      ? a.sureShare > b.sureShare || (a.sureShare === b.sureShare && a.sureAccuracy > b.sureAccuracy)
      : a.sureAccuracy > b.sureAccuracy;
  const chosen = pool.reduce((a, b) => (better(b, a) ? b : a));
  return { chosen, table, overallAccuracy: faces.filter((f) => f.right).length / count };
}
