import * as tf from '@tensorflow/tfjs';
import SVM from 'ml-svm';
import seedrandom from 'seedrandom';
import { NUM_EXPRESSIONS } from '@fer/core';
import { argmaxRows } from '../evaluation/metrics.js';
import { fitLinearSvm, decisionValues } from '../svm/linearSvm.js';
import { applyStandardizer, fitStandardizer } from '../svm/standardize.js';
import type { FeatureSplit } from '../training/svmHead.js';

export interface KernelResult {
  /** e.g. 'linear (dual coordinate descent)', 'RBF (ml-svm, SMO)'. */
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
    fitSeconds += timed(() =>
      svm.train(
        train,
        Array.from(labels, (label) => (label === k ? 1 : -1)),
      ),
    ).seconds;
    const margins = timed(() => svm.margin(validation));
    predictSeconds += margins.seconds;
    margins.value.forEach((margin, i) => (scores[i * NUM_EXPRESSIONS + k] = margin));
  }
  return { scores, fitSeconds, predictSeconds };
}

/** Standardized features have squared distances of about 2 * dims, so sigma = sqrt(dims) keeps the RBF kernel away from 0 and 1. */
function rbfSigma(dims: number): number {
  return Math.sqrt(dims);
}

/** Both splits standardized with the training split's statistics, as the shipped SVM head does. */
function standardized(train: FeatureSplit, validation: FeatureSplit, dims: number): [Float32Array, Float32Array] {
  const standardizer = fitStandardizer(train.features, dims);
  return [applyStandardizer(train.features, standardizer), applyStandardizer(validation.features, standardizer)];
}

function linearRows(
  trainStd: Float32Array,
  train: FeatureSplit,
  validationStd: Float32Array,
  validation: FeatureSplit,
  dims: number,
  kernel: string,
  linearC: readonly number[],
): KernelResult[] {
  const count = validation.labels.length;
  return linearC.map((C) => {
    const fit = timed(() => fitLinearSvm(trainStd, train.labels, dims, NUM_EXPRESSIONS, { C, loss: 'squared-hinge', seed: 1 }));
    const scored = timed(() => decisionValues(fit.value, validationStd));
    return {
      kernel,
      params: `C=${C}`,
      accuracy: accuracyOf(scored.value, validation.labels),
      fitSeconds: fit.seconds,
      predictMsPerImage: (1000 * scored.seconds) / count,
    };
  });
}

/**
 * Random Fourier features (Rahimi and Recht, 2007): z(x) = sqrt(2 / count) cos(W x + b) with
 * W ~ N(0, 1 / sigma^2) and b ~ U(0, 2 pi), so that z(x) . z(y) approximates the RBF kernel
 * exp(-|x - y|^2 / (2 sigma^2)) (ml-svm's). A linear SVM on z then approximates an RBF SVM on
 * all the data, which an exact kernel SVM (n x n matrix) cannot hold.
 */
export function randomFourierFeatures(features: Float32Array, dims: number, options: { count: number; sigma: number; seed: number }): Float32Array {
  const n = features.length / dims;
  const out = new Float32Array(n * options.count);
  const [weights, offsets] = tf.tidy(() => [
    tf.randomNormal([dims, options.count], 0, 1 / options.sigma, 'float32', options.seed),
    tf.randomUniform([options.count], 0, 2 * Math.PI, 'float32', options.seed + 1),
  ]);
  const chunk = 2048;
  for (let start = 0; start < n; start += chunk) {
    const rows = Math.min(chunk, n - start);
    const z = tf.tidy(() =>
      tf
        .tensor2d(features.subarray(start * dims, (start + rows) * dims), [rows, dims])
        .matMul(weights as tf.Tensor2D)
        .add(offsets as tf.Tensor1D)
        .cos()
        .mul(Math.sqrt(2 / options.count)),
    );
    out.set(z.dataSync(), start * options.count);
    z.dispose();
  }
  tf.dispose([weights, offsets]);
  return out;
}

/**
 * Linear against an RBF kernel approximated by `count` random Fourier features, both fitted on
 * all of `train` (standardized) with the same linear solver: whether a non-linear kernel pays at
 * full scale.
 */
export function compareLinearWithRandomFeatures(
  train: FeatureSplit,
  validation: FeatureSplit,
  dims: number,
  options: { linearC: readonly number[]; rbfC: readonly number[]; count: number; seed: number },
): KernelResult[] {
  const [trainStd, validationStd] = standardized(train, validation, dims);
  const results = linearRows(trainStd, train, validationStd, validation, dims, 'linear (dual coordinate descent)', options.linearC);
  const sigma = rbfSigma(dims);
  const project = (features: Float32Array) => randomFourierFeatures(features, dims, { count: options.count, sigma, seed: options.seed });
  const mapped = timed(() => project(trainStd));
  const validationMapped = timed(() => project(validationStd));
  const count = validation.labels.length;
  for (const row of linearRows(
    mapped.value,
    train,
    validationMapped.value,
    validation,
    options.count,
    'RBF, random Fourier features',
    options.rbfC,
  )) {
    results.push({
      ...row,
      params: `${row.params}, sigma=${sigma.toFixed(1)}, ${options.count} features`,
      fitSeconds: row.fitSeconds + mapped.seconds,
      predictMsPerImage: row.predictMsPerImage + (1000 * validationMapped.seconds) / count,
    });
  }
  return results;
}

/**
 * Linear against RBF kernels on the same standardized features and the same training sample.
 * ml-svm stores the n x n kernel matrix, so the sample must stay small (a few thousand); the
 * linear SVM is fitted on that same sample so the comparison is fair.
 */
export function compareKernels(
  train: FeatureSplit,
  validation: FeatureSplit,
  dims: number,
  options: { linearC: readonly number[]; rbfC: readonly number[] },
): KernelResult[] {
  const [trainStd, validationStd] = standardized(train, validation, dims);
  const results = linearRows(trainStd, train, validationStd, validation, dims, 'linear (dual coordinate descent)', options.linearC);
  const trainRows = rows(trainStd, dims);
  const validationRows = rows(validationStd, dims);
  const count = validation.labels.length;
  const sigma = rbfSigma(dims);
  for (const C of options.rbfC) {
    let fit: ReturnType<typeof fitKernelSvm>;
    try {
      fit = fitKernelSvm(trainRows, train.labels, validationRows, { C, kernel: 'rbf', kernelOptions: { sigma }, maxIterations: RBF_MAX_ITERATIONS });
    } catch (error) {
      // ml-svm throws when SMO does not converge; a study row says so rather than losing the others.
      results.push({
        kernel: 'RBF (ml-svm, SMO)',
        params: `C=${C}, sigma=${sigma.toFixed(1)}`,
        accuracy: Number.NaN,
        fitSeconds: Number.NaN,
        predictMsPerImage: Number.NaN,
        failure: error instanceof Error ? error.message : String(error),
      });
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
