import * as tf from '@tensorflow/tfjs';
import seedrandom from 'seedrandom';
import { NUM_EXPRESSIONS, type InputSpec } from '@fer/core';
import {
  averageShares,
  shareGradients,
  trainableValues,
  trainableVariables,
  type LossConfig,
  type ShareGradients,
  type TrainingShare,
} from './gradients.js';
import { runningBackend } from '../backend/selectBackend.js';
import { ReplicaPool } from './replicaPool.js';

/** How one batch went: its mean loss and how many of its images the model got right before the update. */
export type StepOutcome = Pick<ShareGradients, 'loss' | 'correct' | 'count'>;

/**
 * One optimisation step per batch, data-parallel over `replicas` threads: the batch is split
 * into contiguous shares, each replica computes its share's gradients (the main thread takes
 * the first), and the main thread averages them by share size and applies them once.
 */
export class TrainingStep {
  private constructor(
    private readonly model: tf.LayersModel,
    private readonly optimizer: tf.Optimizer,
    private readonly input: InputSpec,
    private readonly loss: LossConfig,
    private readonly pool: ReplicaPool | undefined,
  ) {}

  /** Starts the worker replicas (`replicas - 1` threads) for `model`'s architecture. */
  static async create(options: {
    model: tf.LayersModel;
    optimizer: tf.Optimizer;
    input: InputSpec;
    loss: LossConfig;
    replicas: number;
    /** Rebuilds the architecture in a worker; weights are sent every step. */
    cnn: Parameters<typeof ReplicaPool.start>[1]['cnn'];
  }): Promise<TrainingStep> {
    const { model, optimizer, input, loss, replicas, cnn } = options;
    if (!Number.isInteger(replicas) || replicas < 1) throw new Error(`replicas must be a positive integer, got ${replicas}`);
    const backend = runningBackend();
    const pool = replicas > 1 ? await ReplicaPool.start(replicas - 1, { cnn, input, loss, backend }) : undefined;
    return new TrainingStep(model, optimizer, input, loss, pool);
  }

  get replicas(): number {
    return 1 + (this.pool?.size ?? 0);
  }

  /**
   * Trains on one batch: `batch.pixels` are the augmented images (0-255, [labels.length, h, w]), with the
   * teacher's probabilities when distilling; `dropoutKeys` seeds each replica's dropout (one per replica).
   */
  async run(batch: TrainingShare, dropoutKeys: readonly string[]): Promise<StepOutcome> {
    const count = batch.labels.length;
    if (count < this.replicas) throw new Error(`a batch of ${count} cannot be shared by ${this.replicas} replicas`);
    const imageSize = this.input.height * this.input.width;
    const [own, ...others] = Array.from({ length: this.replicas }, (_, r): TrainingShare => {
      const [start, end] = [Math.floor((r * count) / this.replicas), Math.floor(((r + 1) * count) / this.replicas)];
      return {
        pixels: batch.pixels.slice(start * imageSize, end * imageSize),
        labels: batch.labels.slice(start, end),
        teacher: batch.teacher?.slice(start * NUM_EXPRESSIONS, end * NUM_EXPRESSIONS),
      };
    });
    if (own === undefined) throw new Error('no share for the main thread');
    // Workers start first so that they run while the main thread computes its own share.
    const remote =
      this.pool?.gradients(
        others.map((share, i) => ({ share, seedKey: dropoutKeys[i + 1] ?? '' })),
        trainableValues(this.model),
      ) ?? Promise.resolve([]);
    seedrandom(dropoutKeys[0], { global: true });
    const local = shareGradients(this.model, own, this.input, this.loss);
    const averaged = averageShares([local, ...(await remote)]);
    const gradients = trainableVariables(this.model).map((variable, i) => ({
      name: variable.name,
      tensor: tf.tensor(averaged.gradients[i] as Float32Array, variable.shape),
    }));
    this.optimizer.applyGradients(gradients);
    tf.dispose(gradients.map((g) => g.tensor));
    return { loss: averaged.loss, correct: averaged.correct, count: averaged.count };
  }

  /** Stops the worker replicas. */
  async close(): Promise<void> {
    await this.pool?.close();
  }
}
