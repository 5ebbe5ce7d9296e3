const LOG_T_MIN = Math.log(1e-3);
const LOG_T_MAX = Math.log(1e3);
/** Golden-section steps: the bracket shrinks by 0.618 per step, 80 steps take ln(1e6) to ~1e-16. */
const STEPS = 80;

/**
 * Mean negative log-likelihood of softmax(scores / T), via a max-shifted log-sum-exp so that small T
 * (scores / T in the thousands) neither overflows nor underflows.
 */
function meanNll(scores: Float32Array, labels: Uint8Array, numClasses: number, T: number): number {
  const n = labels.length;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const off = i * numClasses;
    let max = -Infinity;
    for (let k = 0; k < numClasses; k++) max = Math.max(max, scores[off + k]! / T);
    let sum = 0;
    for (let k = 0; k < numClasses; k++) sum += Math.exp(scores[off + k]! / T - max);
    total += max + Math.log(sum) - scores[off + labels[i]!]! / T;
  }
  return total / n;
}

/**
 * SVM scores are margins, not log-probabilities; one temperature T turns softmax(scores / T) into
 * calibrated probabilities without changing the arg-max. The NLL is convex in 1/T, hence unimodal in
 * log T, so a golden-section search over log T in [1e-3, 1e3] finds the minimum. Fit it on held-out
 * scores (the validation split), not on the scores of the data the SVM was trained on.
 */
export function fitTemperature(scores: Float32Array, labels: Uint8Array, numClasses: number): number {
  const n = labels.length;
  if (n === 0) throw new RangeError('cannot fit a temperature on zero samples');
  if (scores.length !== n * numClasses) {
    throw new RangeError(`scores has ${scores.length} values, expected ${n} samples x ${numClasses} classes`);
  }
  const ratio = (Math.sqrt(5) - 1) / 2;
  const f = (logT: number): number => meanNll(scores, labels, numClasses, Math.exp(logT));
  let lo = LOG_T_MIN;
  let hi = LOG_T_MAX;
  let x1 = hi - ratio * (hi - lo);
  let x2 = lo + ratio * (hi - lo);
  let f1 = f(x1);
  let f2 = f(x2);
  for (let step = 0; step < STEPS; step++) {
    if (f1 <= f2) {
      hi = x2;
      x2 = x1;
      f2 = f1;
      x1 = hi - ratio * (hi - lo);
      f1 = f(x1);
    } else {
      lo = x1;
      x1 = x2;
      f1 = f2;
      x2 = lo + ratio * (hi - lo);
      f2 = f(x2);
    }
  }
  return Math.exp((lo + hi) / 2);
}

/** Class probabilities [n * numClasses] from scores, with the temperature fitted by {@link fitTemperature}. */
export function softmaxWithTemperature(scores: Float32Array, numClasses: number, T: number): Float32Array {
  if (!(T > 0)) throw new RangeError(`temperature must be positive, got ${T}`);
  if (scores.length % numClasses !== 0) {
    throw new RangeError(`scores has ${scores.length} values, not a multiple of numClasses ${numClasses}`);
  }
  const out = new Float32Array(scores.length);
  for (let off = 0; off < scores.length; off += numClasses) {
    let max = -Infinity;
    for (let k = 0; k < numClasses; k++) max = Math.max(max, scores[off + k]! / T);
    let sum = 0;
    for (let k = 0; k < numClasses; k++) sum += Math.exp(scores[off + k]! / T - max);
    for (let k = 0; k < numClasses; k++) out[off + k] = Math.exp(scores[off + k]! / T - max) / sum;
  }
  return out;
}
