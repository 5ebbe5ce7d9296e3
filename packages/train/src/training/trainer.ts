import * as tf from '@tensorflow/tfjs';
import seedrandom from 'seedrandom';
import { NUM_EXPRESSIONS, type InputSpec } from '@fer/core';
import type { LabeledImages } from '../data/dataset.js';
import { argmaxRows } from '../evaluation/metrics.js';
import { buildCnn, type CnnConfig } from '../model/cnn.js';
import { augmentBatch, type AugmentConfig } from './augment.js';
import { copyRows, forEachBatch } from './batches.js';
import type { CheckpointStore, EpochSummary, TrainingProgress } from './checkpoint.js';
import { cycleEnds, learningRateAt, type WarmRestarts } from './schedule.js';
import { PLAIN_LOSS, type LossConfig } from './gradients.js';
import { TrainingStep } from './step.js';

/** Everything that determines the trained CNN, recorded in checkpoints and the manifest. */
export interface TrainConfig {
  seed: number;
  epochs: number;
  batchSize: number;
  /** Adam's peak learning rate; it follows a cosine decay to 2% of it (see schedule.ts). */
  learningRate: number;
  /** Restart the cosine decay in growing cycles; absent: one decay over all epochs. */
  restarts?: WarmRestarts;
  /**
   * Data-parallel replicas sharing each batch: the main thread plus `replicas - 1` worker
   * threads, one per core (the wasm backend uses one core per thread). Part of the config
   * because batch-norm statistics are taken per share, so it changes the result.
   */
  replicas: number;
  cnn: CnnConfig;
  augment: AugmentConfig;
  /** Label smoothing and distillation; absent: plain cross-entropy to the labels. */
  loss?: LossConfig;
}

/** Hooks for progress display; all optional. */
export interface TrainingObserver {
  onEpochStart?(epoch: number, batches: number, firstBatch: number): void;
  onBatch?(epoch: number, batch: number, loss: number, accuracy: number): void;
  onEpochEnd?(summary: EpochSummary, isBest: boolean): void;
}

export interface TrainCnnOptions {
  config: TrainConfig;
  train: LabeledImages;
  validation: LabeledImages;
  input: InputSpec;
  /** The teacher's probabilities for each training image [train.count, 7]; required when `config.loss` distils. */
  teacher?: Float32Array;
  store: CheckpointStore<TrainConfig>;
  /** Continue from the store's `last` checkpoint instead of starting afresh. */
  resume: boolean;
  /** Aborting stops after the current batch and saves a resumable checkpoint. */
  signal?: AbortSignal;
  observer?: TrainingObserver;
}

export interface TrainCnnResult {
  /** The epoch with the best validation accuracy (undefined when interrupted before any epoch ended). */
  best: tf.LayersModel | undefined;
  progress: TrainingProgress;
  interrupted: boolean;
}

/** Adam whose learning rate can follow a schedule without losing its moments. */
class ScheduledAdam extends tf.AdamOptimizer {
  setLearningRate(rate: number): void {
    this.learningRate = rate;
  }
}

function cosineRate(config: TrainConfig, epochProgress: number): number {
  return learningRateAt(config.learningRate, epochProgress, config.epochs, config.restarts);
}

/** A seeded permutation of 0..n-1 (Fisher-Yates). */
function shuffledIndices(n: number, random: () => number): Int32Array {
  const order = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  return order;
}

/**
 * Seeds of one batch, from (seed, epoch, batch): weight init and dropout draw from Math.random
 * inside tfjs, so each replica seeds it (seedrandom's documented `global` mode) from its own
 * key. Any batch can then be replayed, which makes --resume exact.
 */
function batchSeeds(seed: number, epoch: number, batch: number, replicas: number): { augment: () => number; dropoutKeys: string[] } {
  return {
    augment: seedrandom(`${seed}:augment:${epoch}:${batch}`),
    dropoutKeys: Array.from({ length: replicas }, (_, r) => `${seed}:dropout:${epoch}:${batch}${r === 0 ? '' : `:${r}`}`),
  };
}

/** Rows `indices` of a row-major [n, 7] array. */
function gatherRows(rows: Float32Array, indices: ArrayLike<number>): Float32Array {
  const out = new Float32Array(indices.length * NUM_EXPRESSIONS);
  for (let i = 0; i < indices.length; i++) {
    const from = (indices[i] as number) * NUM_EXPRESSIONS;
    out.set(rows.subarray(from, from + NUM_EXPRESSIONS), i * NUM_EXPRESSIONS);
  }
  return out;
}

async function validate(model: tf.LayersModel, images: LabeledImages, input: InputSpec): Promise<{ loss: number; accuracy: number }> {
  const probabilities = new Float32Array(images.count * NUM_EXPRESSIONS);
  await forEachBatch(images, input, 256, async (batch, start) => {
    const output = model.predict(batch) as tf.Tensor;
    await copyRows(output, probabilities, start);
    output.dispose();
  });
  const predicted = argmaxRows(probabilities);
  let loss = 0;
  let correct = 0;
  for (let i = 0; i < images.count; i++) {
    const truth = images.labels[i] as number;
    loss -= Math.log(Math.max(probabilities[i * NUM_EXPRESSIONS + truth] as number, 1e-7));
    if (predicted[i] === truth) correct++;
  }
  return { loss: loss / images.count, accuracy: correct / images.count };
}

/**
 * Trains the CNN with Adam on augmented batches, validating after every epoch, keeping a
 * `last` checkpoint (every epoch and on abort) and a `best` one (highest validation accuracy).
 */
export async function trainCnn(options: TrainCnnOptions): Promise<TrainCnnResult> {
  const { config, train, validation, input, teacher, store, signal, observer } = options;
  let model: tf.LayersModel;
  let progress: TrainingProgress;
  const optimizer = new ScheduledAdam(config.learningRate, 0.9, 0.999);
  if (options.resume) {
    const checkpoint = await store.load('last');
    if (checkpoint === undefined) throw new Error(`nothing to resume: no checkpoint in ${store.folder}/last`);
    const { epochs: _saved, ...savedRest } = checkpoint.config;
    const { epochs: _wanted, ...wantedRest } = config;
    if (JSON.stringify(savedRest) !== JSON.stringify(wantedRest)) {
      throw new Error(
        `cannot resume: the checkpoint in ${store.folder} was made with a different configuration (only --epochs may change):\n` +
          `  saved: ${JSON.stringify(savedRest)}\n  asked: ${JSON.stringify(wantedRest)}`,
      );
    }
    model = checkpoint.model;
    await optimizer.setWeights(checkpoint.optimizerWeights);
    tf.dispose(checkpoint.optimizerWeights.map((w) => w.tensor));
    progress = checkpoint.progress;
  } else {
    seedrandom(`${config.seed}:init`, { global: true });
    model = buildCnn(config.cnn);
    progress = { completedEpochs: 0, completedBatches: 0, history: [], trainSeconds: 0, cpuSeconds: 0 };
  }
  const side = input.height;
  const batches = Math.floor(train.count / config.batchSize);
  if (batches === 0) throw new Error(`training split has ${train.count} images, fewer than one batch of ${config.batchSize}`);
  const buffer = new Float32Array(config.batchSize * side * side);
  let interrupted = false;
  const loss = config.loss ?? PLAIN_LOSS;
  if (loss.distillation !== undefined && teacher?.length !== train.count * NUM_EXPRESSIONS) {
    throw new Error(`distillation needs the teacher's probabilities for all ${train.count} training images`);
  }
  const step = await TrainingStep.create({ model, optimizer, input, loss, replicas: config.replicas, cnn: config.cnn });
  try {
    for (let epoch = progress.completedEpochs; epoch < config.epochs && !interrupted; epoch++) {
      const order = shuffledIndices(train.count, seedrandom(`${config.seed}:shuffle:${epoch}`));
      const firstBatch = progress.completedBatches;
      observer?.onEpochStart?.(epoch, batches, firstBatch);
      const epochStart = performance.now();
      // process.cpuUsage covers every thread of the process, so it includes the worker replicas.
      const cpuStart = process.cpuUsage();
      let lossSum = 0;
      let correctSum = 0;
      for (let b = firstBatch; b < batches; b++) {
        if (signal?.aborted) {
          interrupted = true;
          progress.completedBatches = b;
          break;
        }
        const indices = order.subarray(b * config.batchSize, (b + 1) * config.batchSize);
        const seeds = batchSeeds(config.seed, epoch, b, config.replicas);
        augmentBatch(train.pixels, indices, side, config.augment, seeds.augment, buffer);
        optimizer.setLearningRate(cosineRate(config, epoch + b / batches));
        const labels = Uint8Array.from(indices, (i) => train.labels[i] as number);
        const targets = loss.distillation === undefined ? undefined : gatherRows(teacher as Float32Array, indices);
        const outcome = await step.run({ pixels: buffer, labels, teacher: targets }, seeds.dropoutKeys);
        const accuracy = outcome.correct / outcome.count;
        lossSum += outcome.loss;
        correctSum += accuracy;
        observer?.onBatch?.(epoch, b, outcome.loss, accuracy);
        // Without workers a step resolves through microtasks only; yield so Ctrl-C and timers get a turn.
        await new Promise((resolve) => setImmediate(resolve));
      }
      progress.trainSeconds += (performance.now() - epochStart) / 1000;
      const cpu = process.cpuUsage(cpuStart);
      progress.cpuSeconds = (progress.cpuSeconds ?? 0) + (cpu.user + cpu.system) / 1e6;
      if (interrupted) break;

      const seen = batches - firstBatch;
      const checked = await validate(model, validation, input);
      const summary: EpochSummary = {
        epoch: epoch + 1,
        loss: lossSum / seen,
        accuracy: correctSum / seen,
        validationLoss: checked.loss,
        validationAccuracy: checked.accuracy,
        learningRate: cosineRate(config, epoch + 1),
        seconds: (performance.now() - epochStart) / 1000,
      };
      const isBest = progress.history.every((h) => h.validationAccuracy < summary.validationAccuracy);
      progress = { ...progress, completedEpochs: epoch + 1, completedBatches: 0, history: [...progress.history, summary] };
      // `last` is the commit point and goes last: a kill after it but before `best` or the snapshot
      // would resume past an epoch whose best/snapshot was never written (found by faults.e2e.test.ts);
      // a kill before it only makes --resume redo the epoch, which rewrites them identically.
      if (config.restarts !== undefined && cycleEnds(config.restarts, epoch + 1).includes(epoch + 1)) await store.saveSnapshot(epoch + 1, model);
      if (isBest) await store.save('best', model, optimizer, progress, config);
      await store.save('last', model, optimizer, progress, config);
      observer?.onEpochEnd?.(summary, isBest);
    }

    if (interrupted) await store.save('last', model, optimizer, progress, config);
  } finally {
    await step.close();
  }
  model.dispose();
  optimizer.dispose();
  const best = progress.history.length > 0 ? await store.loadModel('best') : undefined;
  return { best, progress, interrupted };
}
