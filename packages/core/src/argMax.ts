/** Index of the largest of `values`, the first one on ties (0 when empty): the predicted class of a score vector. */
export function argMax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if ((values[i] as number) > (values[best] as number)) best = i;
  return best;
}

/** `argMax` of each row of a row-major [n, k] score matrix: one predicted class per face. */
export function argMaxRows(scores: ArrayLike<number>, k: number): Uint8Array {
  if (k > 256) throw new Error(`argMaxRows returns bytes: ${k} classes do not fit`);
  const n = Math.floor(scores.length / k);
  const predicted = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < k; j++) if ((scores[i * k + j] as number) > (scores[i * k + best] as number)) best = j;
    predicted[i] = best;
  }
  return predicted;
}
