import * as tf from '@tensorflow/tfjs';
import type { ExpressionClassifier } from './classifier.js';
import { argMax } from './argMax.js';
import { normalizeGray } from './preprocess.js';

/** Options for `saliencyMap`. */
export interface SaliencyOptions {
  /** Class whose SVM score is explained; defaults to the highest-scoring one. */
  classIndex?: number;
  /** Gaussian blur sigma in input pixels; the raw gradient is speckled, blur shows regions. */
  sigma?: number;
}

function gaussianKernel(sigma: number): tf.Tensor4D {
  const radius = Math.max(1, Math.ceil(2 * sigma));
  const weights = Array.from({ length: 2 * radius + 1 }, (_, i) => Math.exp(-((i - radius) ** 2) / (2 * sigma * sigma)));
  const total = weights.reduce((a, b) => a + b, 0);
  const w = tf.tensor1d(weights.map((v) => v / total));
  return tf.outerProduct(w, w).reshape([2 * radius + 1, 2 * radius + 1, 1, 1]);
}

/**
 * Which input pixels drove one face's decision (Simonyan et al.'s gradient saliency):
 * |d svmScore[class] / d pixel| through the CNN and every view, Gaussian-blurred and stretched to 0..1.
 * `grayFace` is one grey crop [1,H,W,1] with levels 0..255. Returns [H,W].
 */
export function saliencyMap(classifier: ExpressionClassifier, grayFace: tf.Tensor4D, options: SaliencyOptions = {}): tf.Tensor2D {
  if (grayFace.shape[0] !== 1) throw new Error(`saliencyMap takes one face, got a batch of ${grayFace.shape[0]}`);
  return tf.tidy(() => {
    const input = normalizeGray(grayFace, classifier.manifest.input) as tf.Tensor4D;
    const classIndex = options.classIndex ?? argMax(classifier.svmScores(input).dataSync());
    const gradient = classifier.inputGradient(input, classIndex);
    const blurred = tf.conv2d(gradient.abs<tf.Tensor4D>(), gaussianKernel(options.sigma ?? 1.5), 1, 'same');
    const low = blurred.min();
    const range = blurred.max().sub(low).add(1e-12);
    return blurred.sub(low).div(range).squeeze<tf.Tensor2D>([0, 3]);
  });
}
