/**
 * Cosine learning-rate schedules. With `restarts`, the rate falls from its peak to its floor
 * over cycles of `firstCycle` epochs, then `firstCycle * growth`, and so on (SGDR, Loshchilov &
 * Hutter 2017). The rate then never depends on the total epoch count, so a run can be extended
 * with `--resume --epochs N` along exactly the path an uninterrupted run would take, and every
 * cycle end (rate at its floor) gives a finished model.
 */
export interface WarmRestarts {
  /** Epochs of the first cycle. */
  firstCycle: number;
  /** Each later cycle is this many times longer than the one before. */
  growth: number;
}

/** The rate at the end of a cycle, relative to the peak. */
const FLOOR = 0.02;

/** Learning rate after `epochs` (fractional) of training. Without restarts, one cycle spans `totalEpochs`. */
export function learningRateAt(peak: number, epochs: number, totalEpochs: number, restarts?: WarmRestarts): number {
  let start = 0;
  let length = restarts?.firstCycle ?? totalEpochs;
  if (restarts !== undefined) {
    // A cycle's end belongs to it (rate at the floor); the next one starts just after.
    while (epochs > start + length) {
      start += length;
      length *= restarts.growth;
    }
  }
  const phase = Math.min(1, (epochs - start) / length);
  return peak * (FLOOR + 0.5 * (1 - FLOOR) * (1 + Math.cos(Math.PI * phase)));
}

/** Epochs at which cycles end, up to `limit`: the epoch counts where a run stops on a finished model. */
export function cycleEnds(restarts: WarmRestarts, limit: number): number[] {
  const ends: number[] = [];
  for (let end = restarts.firstCycle, length = restarts.firstCycle; end <= limit; length *= restarts.growth, end += length) ends.push(end);
  return ends;
}
