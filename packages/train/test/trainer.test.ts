import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPRESSIONS, type InputSpec } from '@fer/core';
import { selectTrainingBackend } from '../src/backend/selectBackend.js';
import type { LabeledImages } from '../src/data/dataset.js';
import { CheckpointStore } from '../src/training/checkpoint.js';
import { trainCnn, type TrainConfig } from '../src/training/trainer.js';
import { PLAIN_LOSS, shareGradients, trainableValues } from '../src/training/gradients.js';
import { ReplicaPool } from '../src/training/replicaPool.js';
import { buildCnn } from '../src/model/cnn.js';
import seedrandom from 'seedrandom';

const input: InputSpec = { height: 48, width: 48, channels: 1, mean: 0.5, std: 0.25, cropMargin: 0.15 };

const config: TrainConfig = {
  seed: 3,
  epochs: 2,
  batchSize: 16,
  replicas: 1,
  learningRate: 3e-3,
  cnn: { inputSize: 48, width: 4, blocks: 2, convsPerBlock: 1, embeddingUnits: 16, dropout: 0.2, l2: 1e-4 },
  augment: { flip: 0.5, maxShift: 2 },
};

/** Images whose class is drawn into them (a bright band at a class-specific height), plus noise. */
function bandImages(count: number): LabeledImages {
  const pixels = new Uint8Array(count * 48 * 48);
  const labels = new Uint8Array(count);
  let state = 12345;
  const noise = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) % 60;
  for (let i = 0; i < count; i++) {
    const label = i % EXPRESSIONS.length;
    labels[i] = label;
    for (let p = 0; p < 48 * 48; p++) {
      const row = Math.floor(p / 48);
      pixels[i * 48 * 48 + p] = (Math.abs(row - (4 + label * 6)) < 3 ? 180 : 40) + noise();
    }
  }
  return { split: 'train', size: 48, count, pixels, labels, sources: Array.from({ length: count }, (_, i) => `generated:${i}`) };
}

const train = bandImages(96);
const validation = { ...bandImages(42), split: 'public' as const };
const folders: string[] = [];

function store(): CheckpointStore<TrainConfig> {
  const folder = mkdtempSync(join(tmpdir(), 'fer-trainer-'));
  folders.push(folder);
  return new CheckpointStore<TrainConfig>(folder);
}

async function lastWeights(checkpoints: CheckpointStore<TrainConfig>): Promise<Float32Array[]> {
  const model = await checkpoints.loadModel('last');
  const values = model.getWeights().map((w) => w.dataSync() as Float32Array);
  model.dispose();
  return values;
}

beforeAll(async () => {
  await selectTrainingBackend({ prefer: 'wasm' });
});
afterAll(() => folders.forEach((folder) => rmSync(folder, { recursive: true, force: true })));

describe('trainCnn', () => {
  it('is reproducible: the same seed gives the same weights and history', async () => {
    const [a, b] = [store(), store()];
    const first = await trainCnn({ config, train, validation, input, store: a, resume: false });
    const second = await trainCnn({ config, train, validation, input, store: b, resume: false });
    expect(second.progress.history.map((h) => h.loss)).toEqual(first.progress.history.map((h) => h.loss));
    expect(await lastWeights(b)).toEqual(await lastWeights(a));
    expect(first.best).toBeDefined();
    first.best?.dispose();
    second.best?.dispose();
  });

  it('learns: training loss falls over epochs on images whose class is visible', async () => {
    const result = await trainCnn({ config: { ...config, epochs: 4 }, train, validation, input, store: store(), resume: false });
    const losses = result.progress.history.map((h) => h.loss);
    expect(losses.at(-1)!).toBeLessThan(losses[0]!);
  });

  it('stops on abort with a checkpoint that --resume continues to the same weights as an uninterrupted run', async () => {
    const uninterrupted = store();
    await trainCnn({ config, train, validation, input, store: uninterrupted, resume: false });

    const interrupted = store();
    const controller = new AbortController();
    const stopped = await trainCnn({
      config,
      train,
      validation,
      input,
      store: interrupted,
      resume: false,
      signal: controller.signal,
      observer: { onBatch: (epoch, batch) => epoch === 1 && batch === 2 && controller.abort() },
    });
    expect(stopped.interrupted).toBe(true);
    expect(stopped.progress).toMatchObject({ completedEpochs: 1, completedBatches: 3 });

    const resumed = await trainCnn({ config, train, validation, input, store: interrupted, resume: true });
    expect(resumed.interrupted).toBe(false);
    expect(resumed.progress.completedEpochs).toBe(2);
    const [expected, actual] = [await lastWeights(uninterrupted), await lastWeights(interrupted)];
    actual.forEach((weights, i) => expect(Array.from(weights)).toEqual(Array.from(expected[i]!)));
  });

  it('keeps a snapshot of the model at the end of each learning-rate cycle, for fusing', async () => {
    const checkpoints = store();
    const result = await trainCnn({
      config: { ...config, epochs: 3, restarts: { firstCycle: 1, growth: 2 } },
      train,
      validation,
      input,
      store: checkpoints,
      resume: false,
    });
    result.best?.dispose();
    expect(await checkpoints.snapshotEpochs()).toEqual([1, 3]);
    const [first, last] = [await checkpoints.loadSnapshot(1), await checkpoints.loadSnapshot(3)];
    const values = (model: tf.LayersModel) => model.getWeights().map((w) => Array.from(w.dataSync()));
    expect(values(last)).toEqual((await lastWeights(checkpoints)).map((w) => Array.from(w)));
    expect(values(first)).not.toEqual(values(last));
    first.dispose();
    last.dispose();
  });

  it('refuses to resume without a checkpoint, or with a different configuration', async () => {
    const empty = store();
    await expect(trainCnn({ config, train, validation, input, store: empty, resume: true })).rejects.toThrow(/nothing to resume/);
    const used = store();
    await trainCnn({ config: { ...config, epochs: 1 }, train, validation, input, store: used, resume: false });
    await expect(trainCnn({ config: { ...config, learningRate: 0.1 }, train, validation, input, store: used, resume: true })).rejects.toThrow(
      /different configuration/,
    );
  });

  it('with two replicas (a worker thread) runs reproducibly and resumes to the same weights', async () => {
    const parallel = { ...config, replicas: 2 };
    const [a, b] = [store(), store()];
    const first = await trainCnn({ config: parallel, train, validation, input, store: a, resume: false });
    const controller = new AbortController();
    await trainCnn({
      config: parallel,
      train,
      validation,
      input,
      store: b,
      resume: false,
      signal: controller.signal,
      observer: { onBatch: (epoch, batch) => epoch === 0 && batch === 3 && controller.abort() },
    });
    const resumed = await trainCnn({ config: parallel, train, validation, input, store: b, resume: true });
    expect(resumed.progress.history.at(-1)?.loss).toBe(first.progress.history.at(-1)?.loss);
    const [expected, actual] = [await lastWeights(a), await lastWeights(b)];
    actual.forEach((weights, i) => expect(Array.from(weights)).toEqual(Array.from(expected[i]!)));
    // Half-batch statistics and per-replica dropout make it a different run from one replica.
    const single = store();
    await trainCnn({ config, train, validation, input, store: single, resume: false });
    expect(Array.from((await lastWeights(single))[0]!)).not.toEqual(Array.from(expected[0]!));
    first.best?.dispose();
    resumed.best?.dispose();
  });
});

describe('ReplicaPool', () => {
  it("a worker's gradients for a share equal the main thread's for the same weights, images and seed", async () => {
    seedrandom('replica-test', { global: true });
    const model = buildCnn(config.cnn);
    const pixels = Float32Array.from(train.pixels.subarray(0, 8 * 48 * 48));
    const labels = train.labels.slice(0, 8);
    const pool = await ReplicaPool.start(1, { cnn: config.cnn, input, loss: PLAIN_LOSS, backend: 'wasm' });
    try {
      const [remote] = await pool.gradients([{ share: { pixels, labels }, seedKey: 'share' }], trainableValues(model));
      seedrandom('share', { global: true });
      const local = shareGradients(model, { pixels, labels }, input, PLAIN_LOSS);
      expect(remote!.count).toBe(8);
      expect(remote!.loss).toBe(local.loss);
      expect(remote!.correct).toBe(local.correct);
      expect(remote!.gradients.map((g) => Array.from(g))).toEqual(local.gradients.map((g) => Array.from(g)));
      expect(local.gradients.some((g) => g.some((v) => v !== 0))).toBe(true);
    } finally {
      await pool.close();
      model.dispose();
    }
  });

  it('reports a worker that cannot start instead of hanging', async () => {
    await expect(ReplicaPool.start(1, { cnn: config.cnn, input, loss: PLAIN_LOSS, backend: 'node' })).rejects.toThrow(
      /replica 1 failed: Cannot train on tfjs-node/,
    );
  });
});
