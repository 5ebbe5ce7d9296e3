import type * as tf from '@tensorflow/tfjs';
import { NUM_EXPRESSIONS, featureNetwork, type InputSpec } from '@fer/core';
import type { LabeledImages } from '../data/dataset.js';
import { copyRows, forEachBatch } from './batches.js';

/** A split seen through the CNN: the SVM's inputs and the CNN's own predictions. */
export interface ExtractedFeatures {
  /** Row-major [count, dims]: the flattened feature layer. */
  features: Float32Array;
  dims: number;
  /** Row-major [count, 7]: the CNN softmax head's probabilities. */
  cnnProbabilities: Float32Array;
}

/** Runs the CNN over a split once (no augmentation), keeping the named layer's activations. */
export async function extractFeatures(cnn: tf.LayersModel, featureLayer: string, images: LabeledImages, input: InputSpec): Promise<ExtractedFeatures> {
  const network = featureNetwork(cnn, featureLayer);
  const dims = (network.outputs[0]?.shape.slice(1) as number[]).reduce((a, b) => a * b, 1);
  const features = new Float32Array(images.count * dims);
  const cnnProbabilities = new Float32Array(images.count * NUM_EXPRESSIONS);
  await forEachBatch(images, input, 256, async (batch, start) => {
    const [featureMap, probabilities] = network.predict(batch) as tf.Tensor[];
    await copyRows(featureMap as tf.Tensor, features, start);
    await copyRows(probabilities as tf.Tensor, cnnProbabilities, start);
    featureMap?.dispose();
    probabilities?.dispose();
  });
  return { features, dims, cnnProbabilities };
}
