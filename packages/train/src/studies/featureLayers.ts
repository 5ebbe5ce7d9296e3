import type * as tf from '@tensorflow/tfjs';
import type { Evaluation, FaceViews, InputSpec } from '@fer/core';
import type { LabeledImages } from '../data/dataset.js';
import { argmaxRows, evaluatePredictions } from '../evaluation/metrics.js';
import { extractFeatures } from '../training/features.js';
import { fitSvmHead, type SvmHeadOptions } from '../training/svmHead.js';

export interface LayerResult {
  layer: string;
  dims: number;
  /** C chosen on the validation split for this layer. */
  C: number;
  evaluation: Evaluation;
  svmSeconds: number;
}

/**
 * Which layer's activations make the best SVM features: for each candidate, the same CNN's
 * flattened activations feed a linear SVM whose C is chosen on the validation split.
 */
export async function compareFeatureLayers(
  cnn: tf.LayersModel,
  layers: readonly string[],
  train: LabeledImages,
  validation: LabeledImages,
  input: InputSpec,
  svm: SvmHeadOptions,
  views: FaceViews,
  onLayer?: (layer: string, dims: number) => void,
): Promise<LayerResult[]> {
  const results: LayerResult[] = [];
  for (const layer of layers) {
    const trainFeatures = await extractFeatures(cnn, layer, train, input, views);
    const validationFeatures = await extractFeatures(cnn, layer, validation, input, views);
    onLayer?.(layer, trainFeatures.dims);
    const head = await fitSvmHead(
      { features: trainFeatures.features, labels: train.labels },
      { features: validationFeatures.features, labels: validation.labels },
      trainFeatures.dims,
      svm,
    );
    results.push({
      layer,
      dims: trainFeatures.dims,
      C: head.C,
      evaluation: evaluatePredictions(argmaxRows(head.validationScores), validation.labels, 'validation'),
      svmSeconds: head.seconds,
    });
  }
  return results;
}
