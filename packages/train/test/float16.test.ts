import type * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeLayersModel, encodeLayersModel, type LayersModelFiles } from '@fer/core';
import { selectTrainingBackend } from '../src/backend/selectBackend.js';
import { roundWeightsToFloat16, toFloat16Files } from '../src/export/float16.js';
import { buildCnn } from '../src/model/cnn.js';

const tiny = () => buildCnn({ inputSize: 48, width: 4, blocks: 2, convsPerBlock: 1, embeddingUnits: 16, dropout: 0.2, l2: 1e-4 });

async function decode(files: LayersModelFiles): Promise<tf.LayersModel> {
  return decodeLayersModel(JSON.parse(new TextDecoder().decode(files.modelJson)), [files.weights]);
}

async function weightValues(model: tf.LayersModel): Promise<Float32Array[]> {
  return Promise.all(model.getWeights().map((weight) => weight.data<'float32'>()));
}

beforeAll(async () => {
  await selectTrainingBackend({ prefer: 'wasm' });
});

describe('float16 export', () => {
  it('halves the weights file and reloads a rounded model bit for bit', async () => {
    const model = tiny();
    const full = await encodeLayersModel(model, 'weights.bin');
    roundWeightsToFloat16(model);
    const half = toFloat16Files(await encodeLayersModel(model, 'weights.bin'));
    expect(half.weights.byteLength).toBe(full.weights.byteLength / 2);

    const reloaded = await decode(half);
    expect(await weightValues(reloaded)).toEqual(await weightValues(model));
    model.dispose();
    reloaded.dispose();
  });

  it('rounds to within float16 precision, and changes the values (a test that could fail)', async () => {
    const model = tiny();
    const before = await weightValues(model);
    roundWeightsToFloat16(model);
    const after = await weightValues(model);
    let changed = 0;
    before.forEach((values, w) =>
      values.forEach((v, i) => {
        const rounded = after[w]?.[i] as number;
        if (rounded !== v) changed++;
        // float16 keeps 11 significant bits: relative error <= 2^-11 for normal numbers (plus subnormal steps near 0).
        expect(Math.abs(rounded - v)).toBeLessThanOrEqual(Math.abs(v) * 2 ** -11 + 2 ** -25);
      }),
    );
    expect(changed).toBeGreaterThan(0);
    model.dispose();
  });

  it('refuses a weights file that does not match its manifest', async () => {
    const model = tiny();
    const files = await encodeLayersModel(model, 'weights.bin');
    expect(() => toFloat16Files({ ...files, weights: files.weights.slice(6) })).toThrow(/manifest describes more/);
    expect(() => toFloat16Files({ ...files, weights: new Uint8Array([...files.weights, 0, 0, 0, 0]) })).toThrow(/manifest describes \d+$/);
    model.dispose();
  });
});
