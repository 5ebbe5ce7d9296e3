import * as tf from '@tensorflow/tfjs';
import { NUM_EXPRESSIONS, normalizeGray, type InputSpec } from '@fer/core';

/** One replica's share of a training step: its gradients and how its images scored. */
export interface ShareGradients {
  /** One array per trainable weight, in `model.trainableWeights` order. */
  gradients: Float32Array[];
  /** Mean loss (cross-entropy + weight decay) over the share. */
  loss: number;
  /** Images of the share the model classified right (before the update). */
  correct: number;
  count: number;
}

/**
 * Gradients of the training loss of `model` on a share of a batch (pixels already augmented,
 * 0-255), in training mode (batch statistics, dropout). The loss matches what `compile` +
 * `trainOnBatch` would minimise: categorical cross-entropy plus the layers' regularisers.
 * The same function runs on the main thread and in every worker, so replicas cannot disagree.
 */
export function shareGradients(model: tf.LayersModel, pixels: Float32Array, labels: ArrayLike<number>, input: InputSpec): ShareGradients {
  const count = labels.length;
  const variables = trainableVariables(model);
  let correct: tf.Tensor | undefined;
  const { value, grads } = tf.variableGrads(() => {
    const x = normalizeGray(tf.tensor4d(pixels, [count, input.height, input.width, 1]), input);
    const truth = tf.tensor1d(Array.from(labels), 'int32');
    const probabilities = model.apply(x, { training: true }) as tf.Tensor2D;
    correct = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(probabilities, -1), truth), 'float32')));
    const crossEntropy = tf.mean(tf.metrics.categoricalCrossentropy(tf.oneHot(truth, NUM_EXPRESSIONS), probabilities));
    // Weight decay: the regularisers' penalties, as compile() would add them.
    return model.calculateLosses().reduce<tf.Tensor>((total, penalty) => tf.add(total, penalty), crossEntropy) as tf.Scalar;
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
