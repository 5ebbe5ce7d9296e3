import * as tf from '@tensorflow/tfjs';
import { NUM_EXPRESSIONS, normalizeGray, type InputSpec } from '@fer/core';

/** One replica's share of a training step: its gradients and how its images scored. */
export interface ShareGradients {
  /** One array per trainable weight, in `model.trainableWeights` order. */
  gradients: Float32Array[];
  /** Mean training loss (labels, teacher, weight decay) over the share. */
  loss: number;
  /** Images of the share the model classified right (before the update). */
  correct: number;
  count: number;
}

/** What one replica trains on: a share of a batch. */
export interface TrainingShare {
  /** Augmented images, 0-255, [count, height, width]. */
  pixels: Float32Array;
  labels: Uint8Array;
  /** The teacher's probabilities for these images [count, 7], when distilling. */
  teacher?: Float32Array;
}

/** What the training loss asks of the network besides matching the labels. */
export interface LossConfig {
  /** Share of the label's mass spread evenly over the classes (FER2013's labels are noisy); 0 = one-hot. */
  labelSmoothing: number;
  /**
   * Knowledge distillation (Hinton et al., 2015): `weight` of the cross-entropy to the teacher's
   * probabilities softened by `temperature` (scaled by temperature², so its gradients keep their size),
   * against `1 - weight` for the labels.
   */
  distillation?: { weight: number; temperature: number };
}

export const PLAIN_LOSS: LossConfig = { labelSmoothing: 0 };

/** Probabilities are clipped here before their log: a softmax output can underflow to 0. */
const LOG_FLOOR = 1e-7;

/** Cross-entropy of `probabilities` to `targets`, both [n, 7]: the mean over rows of -sum(target * log p). */
function crossEntropy(targets: tf.Tensor2D, logProbabilities: tf.Tensor2D): tf.Scalar {
  return tf.neg(tf.mean(tf.sum(tf.mul(targets, logProbabilities), -1))) as tf.Scalar;
}

/** The loss of one share given the network's probabilities: labels (smoothed) and, when distilling, the teacher. */
function shareLoss(probabilities: tf.Tensor2D, share: TrainingShare, loss: LossConfig): tf.Scalar {
  const count = share.labels.length;
  const logP = tf.log(tf.maximum(probabilities, LOG_FLOOR));
  const oneHot = tf.oneHot(tf.tensor1d(Array.from(share.labels), 'int32'), NUM_EXPRESSIONS).toFloat();
  const smoothed = loss.labelSmoothing > 0 ? tf.add(tf.mul(oneHot, 1 - loss.labelSmoothing), loss.labelSmoothing / NUM_EXPRESSIONS) : oneHot;
  const labelTerm = crossEntropy(smoothed as tf.Tensor2D, logP as tf.Tensor2D);
  const { distillation } = loss;
  if (distillation === undefined || distillation.weight === 0) return labelTerm;
  if (share.teacher === undefined) throw new Error("distillation needs the teacher's probabilities for every training image");
  const t = distillation.temperature;
  // softmax(log p / T) is p softened by T, for the teacher and the student alike.
  const teacherLog = tf.log(tf.maximum(tf.tensor2d(share.teacher, [count, NUM_EXPRESSIONS]), LOG_FLOOR));
  const teacherSoft = tf.softmax(tf.div(teacherLog, t)) as tf.Tensor2D;
  const studentLogSoft = tf.logSoftmax(tf.div<tf.Tensor2D>(logP, t));
  const teacherTerm = tf.mul(crossEntropy(teacherSoft, studentLogSoft), t * t);
  return tf.add<tf.Scalar>(tf.mul(labelTerm, 1 - distillation.weight), tf.mul(teacherTerm, distillation.weight));
}

/**
 * Gradients of the training loss of `model` on a share of a batch, in training mode (batch statistics,
 * dropout): the label and distillation terms of `loss` plus the layers' regularisers (weight decay), as
 * `compile` would add them. The same function runs on the main thread and in every worker, so replicas
 * cannot disagree.
 */
export function shareGradients(model: tf.LayersModel, share: TrainingShare, input: InputSpec, loss: LossConfig): ShareGradients {
  const count = share.labels.length;
  const variables = trainableVariables(model);
  let correct: tf.Tensor | undefined;
  const { value, grads } = tf.variableGrads(() => {
    const x = normalizeGray(tf.tensor4d(share.pixels, [count, input.height, input.width, 1]), input);
    const probabilities = model.apply(x, { training: true }) as tf.Tensor2D;
    const truth = tf.tensor1d(Array.from(share.labels), 'int32');
    correct = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(probabilities, -1), truth), 'float32')));
    return model.calculateLosses().reduce<tf.Tensor>((total, penalty) => tf.add(total, penalty), shareLoss(probabilities, share, loss)) as tf.Scalar;
  }, variables);
  const gradients = variables.map((variable) => {
    const gradient = grads[variable.name];
    if (gradient === undefined) throw new Error(`no gradient for ${variable.name}`);
    // A copy: on wasm, data can be a view into the heap that the next op may reuse.
    return Float32Array.from(gradient.dataSync() as Float32Array);
  });
  const result = { gradients, loss: value.dataSync()[0] as number, correct: correct?.dataSync()[0] ?? 0, count };
  tf.dispose([value, correct, ...Object.values(grads)]);
  return result;
}

/** The variables an optimiser updates, in `model.trainableWeights` order. */
export function trainableVariables(model: tf.LayersModel): tf.Variable[] {
  // LayerVariable.read() returns the backing tf.Variable (typed as its Tensor base).
  return model.trainableWeights.map((weight) => weight.read() as tf.Variable);
}

/** Average of the shares' gradients weighted by their image counts: the gradient of the whole batch's mean loss. */
export function averageShares(shares: readonly ShareGradients[]): ShareGradients {
  const total = shares.reduce((sum, share) => sum + share.count, 0);
  const first = shares[0];
  if (first === undefined || total === 0) throw new Error('no gradients to average');
  const gradients = first.gradients.map((g) => new Float32Array(g.length));
  let loss = 0;
  for (const share of shares) {
    const weight = share.count / total;
    share.gradients.forEach((g, i) => {
      const sum = gradients[i] as Float32Array;
      for (let k = 0; k < g.length; k++) sum[k] = (sum[k] as number) + weight * (g[k] as number);
    });
    loss += weight * share.loss;
  }
  return { gradients, loss, correct: shares.reduce((sum, share) => sum + share.correct, 0), count: total };
}

/** Current values of the trainable weights (copies), in `model.trainableWeights` order. */
export function trainableValues(model: tf.LayersModel): Float32Array[] {
  return trainableVariables(model).map((variable) => Float32Array.from(variable.dataSync() as Float32Array));
}

/** Overwrites the trainable weights with values from `trainableValues` of an identical model. */
export function setTrainableValues(model: tf.LayersModel, values: readonly Float32Array[]): void {
  trainableVariables(model).forEach((variable, i) => {
    const value = values[i];
    if (value === undefined) throw new Error(`missing value for ${variable.name}`);
    const tensor = tf.tensor(value, variable.shape);
    variable.assign(tensor);
    tensor.dispose();
  });
}
