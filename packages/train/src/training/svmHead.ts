import { NUM_EXPRESSIONS, type SvmParams } from '@fer/core';
import { decisionValues } from '../svm/linearSvm.js';
import { selectC, type CandidateResult, type SelectCOptions } from '../svm/selectC.js';
import { applyStandardizer, fitStandardizer } from '../svm/standardize.js';
import { fitTemperature } from '../svm/temperature.js';

/** Features of one split with their labels, row-major [count, dims]. */
export interface FeatureSplit {
  features: Float32Array;
  labels: Uint8Array;
}

export interface SvmHeadOptions extends Omit<SelectCOptions, 'dims' | 'numClasses'> {
  /** Candidate C values, compared on the validation split. */
  candidates: readonly number[];
}

export interface SvmHead {
  /** What the manifest's svm.json holds (standardization + weights). */
  params: SvmParams;
  C: number;
  /** Validation accuracy of every candidate C, for the report. */
  search: { C: number; accuracy: number }[];
  /** softmax(scores / T) temperature fitted on the validation split. */
  temperature: number;
  /** Decision values on the validation split [count, 7]. */
  validationScores: Float32Array;
  /** Decision values [count, 7] of the chosen SVM on other features (a test split). */
  score(features: Float32Array): Float32Array;
  seconds: number;
}

/**
 * Standardizes features with training statistics, fits the one-vs-rest linear SVM for each
 * candidate C, keeps the best on the validation split (carved from Training), and fits the calibration temperature
 * on that split's scores. Used for the CNN features and for the raw-pixel baseline alike.
 */
export async function fitSvmHead(train: FeatureSplit, validation: FeatureSplit, dims: number, options: SvmHeadOptions): Promise<SvmHead> {
  const started = performance.now();
  const { candidates, ...fitOptions } = options;
  const standardizer = fitStandardizer(train.features, dims);
  const standardize = (split: FeatureSplit, shared = false): FeatureSplit => ({
    features: applyStandardizer(split.features, standardizer, { shared }),
    labels: split.labels,
  });
  const validationStandardized = standardize(validation);
  // Shared memory: the C candidates' worker threads read the training features without another copy.
  const { results, best } = await selectC(standardize(train, true), validationStandardized, candidates, {
    ...fitOptions,
    dims,
    numClasses: NUM_EXPRESSIONS,
  });
  const validationScores = decisionValues(best.model, validationStandardized.features);
  return {
    params: toSvmParams(best, standardizer.mean, standardizer.std),
    C: best.C,
    search: results.map(({ C, accuracy }) => ({ C, accuracy })),
    temperature: fitTemperature(validationScores, validation.labels, NUM_EXPRESSIONS),
    validationScores,
    score: (features) => decisionValues(best.model, applyStandardizer(features, standardizer)),
    seconds: (performance.now() - started) / 1000,
  };
}

function toSvmParams({ model }: CandidateResult, mean: Float32Array, std: Float32Array): SvmParams {
  return {
    featureMean: Array.from(mean),
    featureStd: Array.from(std),
    weights: Array.from({ length: model.numClasses }, (_, k) => Array.from(model.weights.subarray(k * model.dims, (k + 1) * model.dims))),
    bias: Array.from(model.bias),
  };
}
