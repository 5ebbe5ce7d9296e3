import * as tf from '@tensorflow/tfjs';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeLayersModel, encodeLayersModel } from '@fer/core';
import { writeFolderAtomically } from '../fsAtomic.js';

/** Where training stands; saved with every checkpoint so `--resume` continues exactly. */
export interface TrainingProgress {
  /** Epochs fully done. */
  completedEpochs: number;
  /** Batches done in the epoch after `completedEpochs` (non-zero only after an interrupt). */
  completedBatches: number;
  history: EpochSummary[];
  /** Training seconds so far (wall clock), summed over sessions. */
  trainSeconds: number;
  /** CPU seconds of the training process (all its threads) so far, summed over sessions. */
  cpuSeconds: number;
}

export interface EpochSummary {
  epoch: number;
  loss: number;
  accuracy: number;
  validationLoss: number;
  validationAccuracy: number;
  learningRate: number;
  seconds: number;
}

/** A model, its optimizer's state and the progress, as saved together. */
export interface Checkpoint<Config> {
  model: tf.LayersModel;
  optimizerWeights: { name: string; tensor: tf.Tensor }[];
  progress: TrainingProgress;
  config: Config;
}

const MODEL = 'model.json';
const WEIGHTS = 'weights.bin';
const OPTIMIZER = 'optimizer.bin';
const STATE = 'state.json';
const SNAPSHOTS = 'snapshots';

/**
 * Checkpoints in a run folder: `last` (written every epoch and on Ctrl-C, for --resume),
 * `best` (the epoch with the best validation accuracy, which is what gets exported) and
 * `snapshots/` (the model at each learning-rate cycle's end).
 */
export class CheckpointStore<Config> {
  constructor(readonly folder: string) {}

  async save(kind: 'last' | 'best', model: tf.LayersModel, optimizer: tf.Optimizer, progress: TrainingProgress, config: Config): Promise<void> {
    const { modelJson, weights } = await encodeLayersModel(model, WEIGHTS);
    const optimizerWeights = await optimizer.getWeights();
    const { data, specs } = await tf.io.encodeWeights(optimizerWeights);
    const files = new Map<string, Uint8Array | string>([
      [MODEL, modelJson],
      [WEIGHTS, weights],
      [OPTIMIZER, new Uint8Array(data)],
      [STATE, JSON.stringify({ progress, config, optimizerSpecs: specs }, null, 2)],
    ]);
    await writeFolderAtomically(join(this.folder, kind), files);
  }

  /** Loads a checkpoint, or returns undefined when there is none. */
  async load(kind: 'last' | 'best'): Promise<Checkpoint<Config> | undefined> {
    const dir = join(this.folder, kind);
    const stateText = await readFile(join(dir, STATE), 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (stateText === undefined) return undefined;
    const state = JSON.parse(stateText) as { progress: TrainingProgress; config: Config; optimizerSpecs: tf.io.WeightsManifestEntry[] };
    const model = await this.loadModel(kind);
    const optimizerData = await readFile(join(dir, OPTIMIZER));
    const decoded = tf.io.decodeWeights(new Uint8Array(optimizerData).buffer, state.optimizerSpecs);
    const optimizerWeights = state.optimizerSpecs.map((spec) => ({ name: spec.name, tensor: decoded[spec.name] as tf.Tensor }));
    return { model, optimizerWeights, progress: state.progress, config: state.config };
  }

  /** Loads only a checkpoint's model (no optimizer state). */
  async loadModel(kind: 'last' | 'best'): Promise<tf.LayersModel> {
    return loadModelFrom(join(this.folder, kind));
  }

  /**
   * Keeps the model at the end of a learning-rate cycle (model only, no optimizer state), in
   * `snapshots/epoch-NNN`: finished models of one run that can be fused (see ensemble.ts).
   */
  async saveSnapshot(epoch: number, model: tf.LayersModel): Promise<void> {
    const { modelJson, weights } = await encodeLayersModel(model, WEIGHTS);
    await writeFolderAtomically(this.snapshotFolder(epoch), new Map<string, Uint8Array | string>([[MODEL, modelJson], [WEIGHTS, weights]]));
  }

  async loadSnapshot(epoch: number): Promise<tf.LayersModel> {
    return loadModelFrom(this.snapshotFolder(epoch));
  }

  /** Epochs that have a snapshot, ascending. */
  async snapshotEpochs(): Promise<number[]> {
    const names = await readdir(join(this.folder, SNAPSHOTS)).catch(() => [] as string[]);
    return names
      .map((name) => /^epoch-(\d+)$/.exec(name)?.[1])
      .filter((epoch): epoch is string => epoch !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
  }

  private snapshotFolder(epoch: number): string {
    return join(this.folder, SNAPSHOTS, `epoch-${String(epoch).padStart(3, '0')}`);
  }
}

async function loadModelFrom(dir: string): Promise<tf.LayersModel> {
  const modelJson: unknown = JSON.parse(await readFile(join(dir, MODEL), 'utf8'));
  return decodeLayersModel(modelJson, [await readFile(join(dir, WEIGHTS))]);
}
