import { fitLinearSvm, predictClasses, type LinearSvmModel, type LinearSvmOptions } from './linearSvm.js';

/** Features (row-major [n * dims]) with their class indices. */
export interface LabeledFeatures {
  features: Float32Array;
  labels: Uint8Array;
}

/** Everything {@link fitLinearSvm} takes except C, which is what is being chosen. */
export interface SelectCOptions extends Omit<LinearSvmOptions, 'C'> {
  dims: number;
  numClasses: number;
}

export interface CandidateResult {
  C: number;
  /** Fraction of validation samples classified correctly. */
  accuracy: number;
  /** Kept so the winner need not be fitted again. */
  model: LinearSvmModel;
}

/**
 * C is the one hyper-parameter of the linear SVM and the right value depends on the features, so it
 * is chosen on held-out data: the validation split carved from Training, never a test split.
 * Ties go to the smaller C (stronger regularisation, faster fit).
 */
export function selectC(
  train: LabeledFeatures,
  validation: LabeledFeatures,
  candidates: readonly number[],
  options: SelectCOptions,
): { results: CandidateResult[]; best: CandidateResult } {
  if (candidates.length === 0) throw new RangeError('selectC needs at least one candidate C');
  const { dims, numClasses, ...fitOptions } = options;
  const results = candidates.map((C): CandidateResult => {
    const model = fitLinearSvm(train.features, train.labels, dims, numClasses, { ...fitOptions, C });
    return { C, accuracy: accuracy(predictClasses(model, validation.features), validation.labels), model };
  });
  let best = results[0]!;
  for (const r of results) {
    if (r.accuracy > best.accuracy || (r.accuracy === best.accuracy && r.C < best.C)) best = r;
  }
  return { results, best };
}

function accuracy(predicted: Uint8Array, labels: Uint8Array): number {
  if (labels.length === 0 || predicted.length !== labels.length) {
    throw new RangeError(`${predicted.length} predictions for ${labels.length} validation labels`);
  }
  let correct = 0;
  for (let i = 0; i < labels.length; i++) if (predicted[i] === labels[i]) correct++;
  return correct / labels.length;
}
