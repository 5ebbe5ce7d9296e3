import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectTrainingBackend } from '../src/backend/selectBackend.js';
import { FEATURE_LAYERS, buildCnn, type CnnConfig } from '../src/model/cnn.js';
import { FUSED_FEATURES } from '../src/model/ensemble.js';
import { CheckpointStore } from '../src/training/checkpoint.js';
import { shippedCnn } from '../src/training/shippedCnn.js';

const cnn: CnnConfig = { inputSize: 48, width: 4, blocks: 2, convsPerBlock: 1, embeddingUnits: 16, dropout: 0.2, l2: 1e-4 };
const folder = mkdtempSync(join(tmpdir(), 'fer-shipped-'));
const store = new CheckpointStore<unknown>(folder);

beforeAll(async () => {
  await selectTrainingBackend({ prefer: 'wasm' });
  // Cycle ends at epochs 1, 3 and 7; the best epoch is 7.
  for (const epoch of [1, 3, 7]) {
    const model = buildCnn(cnn);
    await store.saveSnapshot(epoch, model);
    model.dispose();
  }
});
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('shippedCnn', () => {
  it('ships the best CNN itself when the SVM reads one layer of it', async () => {
    const best = buildCnn(cnn);
    const shipped = await shippedCnn({ store, best, bestEpoch: 7, ensemble: 1, cnn, featureLayers: [FEATURE_LAYERS.embedding] });
    expect(shipped).toMatchObject({ cnn: best, featureLayer: FEATURE_LAYERS.embedding, memberEpochs: [7] });
    best.dispose();
  });

  it('reads several layers of the best CNN alone, without earlier snapshots', async () => {
    const shipped = await shippedCnn({
      store,
      best: buildCnn(cnn),
      bestEpoch: 7,
      ensemble: 1,
      cnn,
      featureLayers: [FEATURE_LAYERS.lastBlock, FEATURE_LAYERS.embedding],
    });
    expect(shipped).toMatchObject({ featureLayer: FUSED_FEATURES, memberEpochs: [7] });
    expect(shipped.cnn.countParams()).toBe(buildCnn(cnn).countParams());
    shipped.cnn.dispose();
  });

  it('fuses the best CNN with the latest other snapshots, before or after the best epoch', async () => {
    const shipped = await shippedCnn({ store, best: buildCnn(cnn), bestEpoch: 7, ensemble: 3, cnn, featureLayers: [FEATURE_LAYERS.lastBlock] });
    expect(shipped.memberEpochs).toEqual([1, 3, 7]);
    const two = await shippedCnn({ store, best: buildCnn(cnn), bestEpoch: 5, ensemble: 2, cnn, featureLayers: [FEATURE_LAYERS.lastBlock] });
    expect(two.memberEpochs).toEqual([5, 7]);
    expect(two.description).toMatch(/epochs 5, 7, fused/);
    shipped.cnn.dispose();
    two.cnn.dispose();
  });

  it('exports a chosen cycle-end snapshot in place of the best CNN, alone or fused', async () => {
    const snapshot = await store.loadSnapshot(3);
    const alone = await shippedCnn({
      store,
      best: buildCnn(cnn),
      bestEpoch: 7,
      cnnEpoch: 3,
      ensemble: 1,
      cnn,
      featureLayers: [FEATURE_LAYERS.embedding],
    });
    expect(alone.memberEpochs).toEqual([3]);
    const weights = (model: typeof snapshot) => model.getWeights().map((w) => Array.from(w.dataSync()));
    expect(weights(alone.cnn)).toEqual(weights(snapshot));
    const fused = await shippedCnn({
      store,
      best: buildCnn(cnn),
      bestEpoch: 5,
      cnnEpoch: 3,
      ensemble: 2,
      cnn,
      featureLayers: [FEATURE_LAYERS.lastBlock],
    });
    expect(fused.memberEpochs).toEqual([3, 7]);
    [snapshot, alone.cnn, fused.cnn].forEach((model) => model.dispose());
  });

  it('names the epochs it keeps when the chosen one has no snapshot', async () => {
    await expect(
      shippedCnn({ store, best: buildCnn(cnn), bestEpoch: 5, cnnEpoch: 4, ensemble: 1, cnn, featureLayers: [FEATURE_LAYERS.embedding] }),
    ).rejects.toThrow(
      /--cnn-epoch 4: .* keeps the CNNs of the best epoch \(5\) and of the learning-rate cycle ends \(epoch 1, 3, 7\), not epoch 4's$/,
    );
  });

  it('says which snapshots exist when there are too few', async () => {
    await expect(
      shippedCnn({ store, best: buildCnn(cnn), bestEpoch: 3, ensemble: 4, cnn, featureLayers: [FEATURE_LAYERS.lastBlock] }),
    ).rejects.toThrow(/--ensemble 4 needs 3 cycle-end snapshot\(s\) besides epoch 3; .*snapshots has epoch 1, 7$/);
  });
});
