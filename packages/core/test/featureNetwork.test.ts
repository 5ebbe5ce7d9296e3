import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { featureNetwork } from '../src/index.js';
import './quietTfjs.js';
import { sequence } from './tinyArtifacts.js';

/** The trainer's shape in small: conv-BN-ReLU blocks, max-pools, an embedding, a softmax head, and features from two layers side by side. */
function vggLike(): tf.LayersModel {
  const input = tf.input({ shape: [16, 16, 1] });
  let x = input;
  const pools: tf.SymbolicTensor[] = [];
  for (const [block, filters] of [4, 8].entries()) {
    for (const conv of [1, 2]) {
      const name = `block${block + 1}_conv${conv}`;
      x = tf.layers.conv2d({ filters, kernelSize: 3, padding: 'same', useBias: false, name }).apply(x) as tf.SymbolicTensor;
      x = tf.layers.batchNormalization({ name: `${name}_bn` }).apply(x) as tf.SymbolicTensor;
      x = tf.layers.reLU({ name: `${name}_relu` }).apply(x) as tf.SymbolicTensor;
    }
    x = tf.layers.maxPooling2d({ poolSize: 2, name: `block${block + 1}_pool` }).apply(x) as tf.SymbolicTensor;
    pools.push(x);
  }
  const flat = tf.layers.flatten({ name: 'flatten' }).apply(x) as tf.SymbolicTensor;
  let h = tf.layers.dropout({ rate: 0.4 }).apply(flat) as tf.SymbolicTensor;
  h = tf.layers.dense({ units: 12, activation: 'relu', name: 'embedding' }).apply(h) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 7, activation: 'softmax', name: 'expression' }).apply(h) as tf.SymbolicTensor;
  const firstPool = tf.layers.flatten({ name: 'block1_pool_flat' }).apply(pools[0] as tf.SymbolicTensor) as tf.SymbolicTensor;
  const fused = tf.layers.concatenate({ name: 'fused_features' }).apply([firstPool, h]) as tf.SymbolicTensor;
  // As the trainer exports several feature layers: the softmax first, their concatenation second.
  const model = tf.model({ inputs: input, outputs: [out, fused] });
  // Batch-norm statistics far from their initial 0/1, so that folding them is tested.
  const random = sequence(3);
  model.setWeights(
    model.getWeights().map((w, i) => {
      const values = Array.from({ length: w.size }, () => random());
      const isVariance = model.weights[i]?.name.includes('moving_variance') ?? false;
      return tf.tensor(isVariance ? values.map((v) => 0.2 + Math.abs(v)) : values, w.shape);
    }),
  );
  return model;
}

const faces = () => tf.randomUniform<tf.Rank.R4>([3, 16, 16, 1], -1, 1, 'float32', 5);

async function maxDifference(a: tf.Tensor, b: tf.Tensor): Promise<number> {
  const [x, y] = [await a.data<'float32'>(), await b.data<'float32'>()];
  return x.reduce((max, v, i) => Math.max(max, Math.abs(v - (y[i] as number))), 0);
}

describe('featureNetwork', () => {
  it('compiles conv-BN-ReLU models into fused ops that compute what the LayersModel computes, gradients too', async () => {
    const model = vggLike();
    const input = faces();
    const network = featureNetwork(model, 'fused_features');
    expect(network.compiled).toBe(true);
    expect(network.featureDims).toBe(8 * 8 * 4 + 12);
    const reference = tf.model({
      inputs: model.inputs,
      outputs: [model.getLayer('fused_features').output as tf.SymbolicTensor, model.outputs[0] as tf.SymbolicTensor],
    });
    const [features, probabilities] = network.apply(input);
    const [expectedFeatures, expectedProbabilities] = reference.apply(input, { training: false }) as tf.Tensor[];
    expect(features.shape).toEqual([3, network.featureDims]);
    expect(await maxDifference(features, expectedFeatures as tf.Tensor)).toBeLessThan(1e-4);
    expect(await maxDifference(probabilities, expectedProbabilities as tf.Tensor)).toBeLessThan(1e-5);

    const score = (apply: (x: tf.Tensor4D) => tf.Tensor) => tf.grad((x: tf.Tensor) => apply(x as tf.Tensor4D).sum())(input);
    const gradient = score((x) => network.apply(x)[0]);
    const expectedGradient = score((x) => (reference.apply(x, { training: false }) as tf.Tensor[])[0] as tf.Tensor);
    expect(await maxDifference(gradient, expectedGradient)).toBeLessThan(1e-3);
    expect(Math.max(...(await tf.abs(expectedGradient).data()))).toBeGreaterThan(1e-2);
  });

  it('runs a model with a layer it cannot compile through LayersModel.apply', async () => {
    const input = tf.input({ shape: [16, 16, 1] });
    const conv = tf.layers.conv2d({ filters: 4, kernelSize: 3, activation: 'tanh' }).apply(input) as tf.SymbolicTensor;
    const flat = tf.layers.flatten({ name: 'features' }).apply(conv) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 7, activation: 'softmax' }).apply(flat) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    const network = featureNetwork(model, 'features');
    expect(network.compiled).toBe(false);
    const [, probabilities] = network.apply(faces());
    expect(await maxDifference(probabilities, model.predict(faces()) as tf.Tensor)).toBe(0);
  });

  it('frees the folded weights it made on dispose, and leaves the model usable', () => {
    const model = vggLike();
    const before = tf.memory().numTensors;
    const network = featureNetwork(model, 'fused_features');
    expect(tf.memory().numTensors).toBeGreaterThan(before);
    network.dispose();
    expect(tf.memory().numTensors).toBe(before);
    const outputs = model.predict(faces()) as tf.Tensor[];
    expect(outputs[0]?.shape).toEqual([3, 7]);
    tf.dispose(outputs);
  });
});
