import type * as tf from '@tensorflow/tfjs';
import { NUM_EXPRESSIONS, applyFeatureNetwork, featureNetwork, type FaceViews, type InputSpec } from '@fer/core';
import type { LabeledImages } from '../data/dataset.js';
import { copyRows, facesPerBatch, forEachBatch } from './batches.js';

/** A split seen through the CNN: the SVM's inputs and the CNN's own predictions. */
export interface ExtractedFeatures {
  /** Row-major [count, dims]: the flattened feature layer. */
  features: Float32Array;
  dims: number;
  /** Row-major [count, 7]: the CNN softmax head's probabilities. */
  cnnProbabilities: Float32Array;
}

/**
 * Runs the CNN over a split once (no augmentation), keeping the named layer's activations,
 * averaged over each image's `views` (as the shipped classifier does).
 */
export async function extractFeatures(
  cnn: tf.LayersModel,
  featureLayer: string,
  images: LabeledImages,
  input: InputSpec,
  views: FaceViews,
): Promise<ExtractedFeatures> {
  const network = featureNetwork(cnn, featureLayer);
  const dims = network.featureDims;
  const features = new Float32Array(images.count * dims);
  const cnnProbabilities = new Float32Array(images.count * NUM_EXPRESSIONS);
  try {
    await forEachBatch(images, input, facesPerBatch(views), async (batch, start) => {
      const [featureRows, probabilities] = applyFeatureNetwork(network, batch, views);
      await copyRows(featureRows, features, start);
      await copyRows(probabilities, cnnProbabilities, start);
      featureRows.dispose();
      probabilities.dispose();
    });
  } finally {
    network.dispose();
  }
  return { features, dims, cnnProbabilities };
}
