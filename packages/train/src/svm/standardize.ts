import { sharedFloat32Array } from '../system/sharedMemory.js';

/** Per-feature statistics learnt on the training set and reused, unchanged, on every other split. */
export interface Standardizer {
  mean: Float32Array;
  std: Float32Array;
}

/**
 * Below this a feature counts as constant (e.g. a ReLU unit that never fires on the training set): its
 * std is set to 1 rather than to a tiny floor, so a unit that does fire at test time is not blown up
 * by 1/epsilon into a huge score.
 */
const MIN_STD = 1e-6;

/**
 * Learns mean and std per feature so the SVM sees features on one scale: the L2 penalty and the
 * dual solver's convergence both assume comparable feature ranges. Accumulates in float64 because
 * float32 sums over ~28k samples lose digits.
 */
export function fitStandardizer(features: Float32Array, dims: number): Standardizer {
  if (!Number.isInteger(dims) || dims < 1) throw new RangeError(`dims must be a positive integer, got ${dims}`);
  if (features.length % dims !== 0) {
    throw new RangeError(`features has ${features.length} values, not a multiple of dims ${dims}`);
  }
  const n = features.length / dims;
  if (n === 0) throw new RangeError('cannot fit a standardizer on zero samples');
  const sum = new Float64Array(dims);
  for (let i = 0; i < n; i++) {
    const off = i * dims;
    for (let j = 0; j < dims; j++) sum[j]! += features[off + j]!;
  }
  const mean64 = sum.map((s) => s / n);
  // Two-pass variance: no cancellation when the mean is large relative to the spread.
  const sq = new Float64Array(dims);
  for (let i = 0; i < n; i++) {
    const off = i * dims;
    for (let j = 0; j < dims; j++) {
      const dlt = features[off + j]! - mean64[j]!;
      sq[j]! += dlt * dlt;
    }
  }
  const std = new Float32Array(dims);
  for (let j = 0; j < dims; j++) {
    const s = Math.sqrt(sq[j]! / n);
    std[j] = s < MIN_STD ? 1 : s;
  }
  return { mean: Float32Array.from(mean64), std };
}

/**
 * Returns (x - mean) / std as a new array, leaving the caller's features untouched; with `shared`, the array lives in
 * a SharedArrayBuffer, so worker threads can read it without a copy (see `selectC`).
 */
export function applyStandardizer(features: Float32Array, standardizer: Standardizer, { shared = false } = {}): Float32Array {
  const { mean, std } = standardizer;
  const dims = mean.length;
  if (features.length % dims !== 0) {
    throw new RangeError(`features has ${features.length} values, not a multiple of dims ${dims}`);
  }
  const out = shared ? sharedFloat32Array(features.length) : new Float32Array(features.length);
  for (let off = 0; off < features.length; off += dims) {
    for (let j = 0; j < dims; j++) out[off + j] = (features[off + j]! - mean[j]!) / std[j]!;
  }
  return out;
}
