import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPRESSIONS, type InputSpec } from '@fer/core';
import { selectTrainingBackend } from '../src/backend/selectBackend.js';
import type { LabeledImages } from '../src/data/dataset.js';
import { CheckpointStore } from '../src/training/checkpoint.js';
import { trainCnn, type TrainConfig } from '../src/training/trainer.js';

const input: InputSpec = { height: 48, width: 48, channels: 1, mean: 0.5, std: 0.25 };

const config: TrainConfig = {
  seed: 3,
  epochs: 2,
  batchSize: 16,
  learningRate: 3e-3,
  cnn: { inputSize: 48, width: 4, blocks: 2, convsPerBlock: 1, embeddingUnits: 16, dropout: 0.2, l2: 1e-4 },
  augment: { flip: 0.5, maxShift: 2 },
};

/** Images whose class is drawn into them (a bright band at a class-specific height), plus noise. */
function bandImages(count: number): LabeledImages {
  const pixels = new Uint8Array(count * 48 * 48);
  const labels = new Uint8Array(count);
  let state = 12345;
  const noise = () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) % 60);
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

  it('refuses to resume without a checkpoint, or with a different configuration', async () => {
    const empty = store();
    await expect(trainCnn({ config, train, validation, input, store: empty, resume: true })).rejects.toThrow(/nothing to resume/);
    const used = store();
    await trainCnn({ config: { ...config, epochs: 1 }, train, validation, input, store: used, resume: false });
    await expect(
      trainCnn({ config: { ...config, learningRate: 0.1 }, train, validation, input, store: used, resume: true }),
    ).rejects.toThrow(/different configuration/);
  });
});
