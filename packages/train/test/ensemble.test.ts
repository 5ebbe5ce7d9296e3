import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyFeatureNetwork, decodeLayersModel, encodeLayersModel, featureNetwork } from '@fer/core';
import { selectTrainingBackend } from '../src/backend/selectBackend.js';
import { FEATURE_LAYERS, buildCnn, type CnnConfig } from '../src/model/cnn.js';
import { FUSED_FEATURES, fuseCnns } from '../src/model/ensemble.js';

const config: CnnConfig = { inputSize: 48, width: 4, blocks: 2, convsPerBlock: 1, embeddingUnits: 16, dropout: 0.2, l2: 1e-4 };

/** Features and probabilities of `model` read at `layer`, averaged with the mirror image, as the classifier reads them. */
async function read(model: tf.LayersModel, layer: string, faces: tf.Tensor4D): Promise<[Float32Array, Float32Array]> {
  const [features, probabilities] = applyFeatureNetwork(featureNetwork(model, layer), faces, { warps: [], mirror: true });
  const values: [Float32Array, Float32Array] = [await features.data<'float32'>(), await probabilities.data<'float32'>()];
  tf.dispose([features, probabilities]);
  return values;
}

function expectClose(actual: Float32Array, expected: Float32Array): void {
  expect(actual.length).toBe(expected.length);
  const worst = actual.reduce((max, v, i) => Math.max(max, Math.abs(v - (expected[i] as number))), 0);
  expect(worst).toBeLessThan(1e-4);
}

beforeAll(async () => {
  await selectTrainingBackend({ prefer: 'wasm' });
});

/** Row-major [count, dims_k] blocks joined row by row: [count, sum of dims_k]. */
function sideBySide(blocks: Float32Array[], count: number): Float32Array {
  const widths = blocks.map((block) => block.length / count);
  const out = new Float32Array(blocks.reduce((sum, block) => sum + block.length, 0));
  let offset = 0;
  for (let i = 0; i < count; i++) {
    blocks.forEach((block, k) => {
      const width = widths[k] as number;
      out.set(block.subarray(i * width, (i + 1) * width), offset);
      offset += width;
    });
  }
  return out;
}

/** Checks that a fused model gives `expected` features and probabilities, before and after a save/load round trip. */
async function expectFused(fused: tf.LayersModel, faces: tf.Tensor4D, expected: [Float32Array, Float32Array]): Promise<void> {
  const { modelJson, weights } = await encodeLayersModel(fused, 'weights.bin');
  const reloaded = await decodeLayersModel(JSON.parse(new TextDecoder().decode(modelJson)), [weights]);
  for (const model of [fused, reloaded]) {
    const [features, probabilities] = await read(model, FUSED_FEATURES, faces);
    expectClose(features, expected[0]);
    expectClose(probabilities, expected[1]);
  }
  reloaded.dispose();
}

describe('fuseCnns', () => {
  let faces: tf.Tensor4D;
  beforeAll(() => {
    faces = tf.randomNormal([3, 48, 48, 1], 0, 1, 'float32', 7);
  });
  afterAll(() => faces.dispose());

  it("reads each member's features side by side and averages their softmax heads", async () => {
    const members = [buildCnn(config), buildCnn(config)];
    const [featuresA, probabilitiesA] = await read(members[0]!, FEATURE_LAYERS.lastBlock, faces);
    const [featuresB, probabilitiesB] = await read(members[1]!, FEATURE_LAYERS.lastBlock, faces);
    // The members differ (else the test could not tell concatenation from duplication).
    expect(Math.max(...featuresA.map((v, i) => Math.abs(v - (featuresB[i] as number))))).toBeGreaterThan(1e-3);

    const fused = fuseCnns(members, config, [FEATURE_LAYERS.lastBlock]);
    members.forEach((member) => member.dispose());
    await expectFused(fused, faces, [sideBySide([featuresA, featuresB], 3), probabilitiesA.map((p, i) => (p + (probabilitiesB[i] as number)) / 2)]);
    const reference = buildCnn(config);
    expect(fused.countParams()).toBe(2 * reference.countParams());
    reference.dispose();
    fused.dispose();
  });

  it('reads several layers of one CNN side by side, keeping its head and its layer names', async () => {
    const cnn = buildCnn(config);
    const [pooled, probabilities] = await read(cnn, FEATURE_LAYERS.lastBlock, faces);
    const [embedding] = await read(cnn, FEATURE_LAYERS.embedding, faces);
    const fused = fuseCnns([cnn], config, [FEATURE_LAYERS.lastBlock, FEATURE_LAYERS.embedding]);
    cnn.dispose();
    await expectFused(fused, faces, [sideBySide([pooled, embedding], 3), probabilities]);
    expect(fused.getLayer(FEATURE_LAYERS.embedding)).toBeDefined();
    fused.dispose();
  });

  it('refuses to fuse one layer of one CNN', () => {
    const single = buildCnn(config);
    expect(() => fuseCnns([single], config, [FEATURE_LAYERS.embedding])).toThrow(/at least two/);
    single.dispose();
  });
});
