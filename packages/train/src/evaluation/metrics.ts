import { argMaxRows, EXPRESSIONS, NUM_EXPRESSIONS, type Evaluation } from '@fer/core';

/** The predicted class of each face of a row-major [n, 7] score matrix (core's `argMaxRows`). */
export function argmaxRows(scores: Float32Array): Uint8Array {
  return argMaxRows(scores, NUM_EXPRESSIONS);
}

/** Evaluates the arg-max of each row of a row-major [n, 7] score matrix, leaving out the faces in `skip` (e.g. repeats of Training faces). */
export function evaluateScores(scores: Float32Array, truth: Uint8Array, split: string, skip: ReadonlySet<number> = new Set()): Evaluation {
  const predicted = argmaxRows(scores);
  const kept = Array.from(truth.keys()).filter((i) => !skip.has(i));
  return evaluatePredictions(
    Uint8Array.from(kept, (i) => predicted[i] as number),
    Uint8Array.from(kept, (i) => truth[i] as number),
    split,
  );
}

/** Accuracy, per-class precision/recall/F1, macro-F1 and the confusion matrix of predictions. */
export function evaluatePredictions(predicted: Uint8Array, truth: Uint8Array, split: string): Evaluation {
  if (predicted.length !== truth.length) throw new Error(`${predicted.length} predictions for ${truth.length} labels`);
  if (truth.length === 0) throw new Error('cannot evaluate on zero images');
  const counts = new Int32Array(NUM_EXPRESSIONS * NUM_EXPRESSIONS);
  truth.forEach((t, i) => {
    const cell = t * NUM_EXPRESSIONS + (predicted[i] as number);
    counts[cell] = (counts[cell] as number) + 1;
  });
  const confusion = EXPRESSIONS.map((_, t) => Array.from(counts.subarray(t * NUM_EXPRESSIONS, (t + 1) * NUM_EXPRESSIONS)));
  const perClass = EXPRESSIONS.map((label, c) => {
    const row = confusion[c] as number[];
    const truePositives = row[c] as number;
    const support = row.reduce((a, b) => a + b, 0);
    const predictedCount = confusion.reduce((sum, r) => sum + (r[c] as number), 0);
    const precision = predictedCount === 0 ? 0 : truePositives / predictedCount;
    const recall = support === 0 ? 0 : truePositives / support;
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    return { label, precision, recall, f1, support };
  });
  const correct = confusion.reduce((sum, row, c) => sum + (row[c] as number), 0);
  return {
    split,
    count: truth.length,
    accuracy: correct / truth.length,
    macroF1: perClass.reduce((sum, m) => sum + m.f1, 0) / NUM_EXPRESSIONS,
    perClass,
    confusion,
  };
}
