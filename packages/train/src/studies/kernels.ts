import SVM from 'ml-svm';
import seedrandom from 'seedrandom';
import { NUM_EXPRESSIONS } from '@fer/core';
import { argmaxRows } from '../evaluation/metrics.js';
import { fitLinearSvm, decisionValues } from '../svm/linearSvm.js';
import { applyStandardizer, fitStandardizer } from '../svm/standardize.js';
import type { FeatureSplit } from '../training/svmHead.js';

export interface KernelResult {
  /** e.g. 'linear (dual CD)', 'RBF (SMO)'. */
  kernel: string;
  params: string;
  accuracy: number;
  fitSeconds: number;
  /** Scoring time per validation image. */
  predictMsPerImage: number;
  /** Why this fit gave no result (NaN figures), e.g. SMO did not converge. */
  failure?: string;
}

/** SMO iterations per binary problem before ml-svm gives up (its default is 10,000). */
const RBF_MAX_ITERATIONS = 100_000;

function rows(features: Float32Array, dims: number): number[][] {
  return Array.from({ length: features.length / dims }, (_, i) => Array.from(features.subarray(i * dims, (i + 1) * dims)));
}

function accuracyOf(scores: Float32Array, labels: Uint8Array): number {
  const predicted = argmaxRows(scores);
  return predicted.reduce((correct, p, i) => correct + (p === labels[i] ? 1 : 0), 0) / labels.length;
}

function timed<T>(run: () => T): { value: T; seconds: number } {
  const start = performance.now();
  const value = run();
  return { value, seconds: (performance.now() - start) / 1000 };
}

/** One-vs-rest with ml-svm (binary, SMO, full kernel matrix): scores[i, k] = margin of class k. */
function fitKernelSvm(train: number[][], labels: Uint8Array, validation: number[][], options: ConstructorParameters<typeof SVM>[0]) {
  const scores = new Float32Array(validation.length * NUM_EXPRESSIONS);
  let fitSeconds = 0;
  let predictSeconds = 0;
  for (let k = 0; k < NUM_EXPRESSIONS; k++) {
    const svm = new SVM({ ...options, whitening: false, random: seedrandom(`kernel-study:${k}`) });
    fitSeconds += timed(() => svm.train(train, Array.from(labels, (label) => (label === k ? 1 : -1)))).seconds;
    const margins = timed(() => svm.margin(validation));
    predictSeconds += margins.seconds;
    margins.value.forEach((margin, i) => (scores[i * NUM_EXPRESSIONS + k] = margin));
  }
  return { scores, fitSeconds, predictSeconds };
}

/**
 * Linear against RBF kernels on the same standardized features and the same training sample.
 * ml-svm stores the n x n kernel matrix, so the sample must stay small (a few thousand); the
 * linear SVM is fitted on that same sample so the comparison is fair.
 */
export function compareKernels(train: FeatureSplit, validation: FeatureSplit, dims: number, options: { linearC: readonly number[]; rbfC: readonly number[] }): KernelResult[] {
  const standardizer = fitStandardizer(train.features, dims);
  const trainStd = applyStandardizer(train.features, standardizer);
  const validationStd = applyStandardizer(validation.features, standardizer);
  const count = validation.labels.length;
  const results: KernelResult[] = [];
  for (const C of options.linearC) {
    const fit = timed(() => fitLinearSvm(trainStd, train.labels, dims, NUM_EXPRESSIONS, { C, loss: 'squared-hinge', seed: 1 }));
    const scored = timed(() => decisionValues(fit.value, validationStd));
    results.push({ kernel: 'linear (dual coordinate descent)', params: `C=${C}`, accuracy: accuracyOf(scored.value, validation.labels), fitSeconds: fit.seconds, predictMsPerImage: (1000 * scored.seconds) / count });
  }
  const trainRows = rows(trainStd, dims);
  const validationRows = rows(validationStd, dims);
  // Standardized features: squared distances are about 2 * dims, so sigma = sqrt(dims) keeps k away from 0 and 1.
  const sigma = Math.sqrt(dims);
  for (const C of options.rbfC) {
    let fit: ReturnType<typeof fitKernelSvm>;
    try {
      fit = fitKernelSvm(trainRows, train.labels, validationRows, { C, kernel: 'rbf', kernelOptions: { sigma }, maxIterations: RBF_MAX_ITERATIONS });
    } catch (error) {
      // ml-svm throws when SMO does not converge; a study row says so rather than losing the others.
      results.push({ kernel: 'RBF (ml-svm, SMO)', params: `C=${C}, sigma=${sigma.toFixed(1)}`, accuracy: Number.NaN, fitSeconds: Number.NaN, predictMsPerImage: Number.NaN, failure: error instanceof Error ? error.message : String(error) });
      continue;
    }
    results.push({
      kernel: 'RBF (ml-svm, SMO)',
      params: `C=${C}, sigma=${sigma.toFixed(1)}`,
      accuracy: accuracyOf(fit.scores, validation.labels),
      fitSeconds: fit.fitSeconds,
      predictMsPerImage: (1000 * fit.predictSeconds) / count,
    });
  }
  return results;
}
