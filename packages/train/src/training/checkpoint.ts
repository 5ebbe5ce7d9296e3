import * as tf from '@tensorflow/tfjs';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeLayersModel, encodeLayersModel } from '@fer/core';
import { recoverSwap, writeFolderAtomically } from '../system/fsAtomic.js';

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

  /**
   * Loads a checkpoint, or returns undefined when there is none. A damaged one (edited, truncated,
   * half-copied) is an error naming the file at fault, never a crash deep inside tfjs.
   */
  async load(kind: 'last' | 'best'): Promise<Checkpoint<Config> | undefined> {
    const dir = join(this.folder, kind);
    for (const line of await recoverSwap(dir)) console.error(line);
    const statePath = join(dir, STATE);
    const stateText = await readFile(statePath, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw checkpointError(statePath, `cannot be read (${error.code ?? error.message})`, error);
    });
    if (stateText === undefined) return undefined;
    const state = parseState<Config>(statePath, stateText);
    const model = await loadModelFrom(dir);
    const optimizerPath = join(dir, OPTIMIZER);
    const optimizerData = await readFile(optimizerPath).catch((error: NodeJS.ErrnoException) => {
      throw checkpointError(optimizerPath, `cannot be read (${error.code ?? error.message})`, error);
    });
    const decoded = decodeWeightFile(optimizerPath, optimizerData, state.optimizerSpecs);
    const optimizerWeights = state.optimizerSpecs.map((spec) => ({ name: spec.name, tensor: decoded[spec.name] as tf.Tensor }));
    return { model, optimizerWeights, progress: state.progress, config: state.config };
  }

  /** Loads only a checkpoint's model (no optimizer state). */
  async loadModel(kind: 'last' | 'best'): Promise<tf.LayersModel> {
    for (const line of await recoverSwap(join(this.folder, kind))) console.error(line);
    return loadModelFrom(join(this.folder, kind));
  }

  /**
   * Keeps the model at the end of a learning-rate cycle (model only, no optimizer state), in
   * `snapshots/epoch-NNN`: finished models of one run that can be fused (see ensemble.ts).
   */
  async saveSnapshot(epoch: number, model: tf.LayersModel): Promise<void> {
    const { modelJson, weights } = await encodeLayersModel(model, WEIGHTS);
    await writeFolderAtomically(
      this.snapshotFolder(epoch),
      new Map<string, Uint8Array | string>([
        [MODEL, modelJson],
        [WEIGHTS, weights],
      ]),
    );
  }

  async loadSnapshot(epoch: number): Promise<tf.LayersModel> {
    for (const line of await recoverSwap(this.snapshotFolder(epoch))) console.error(line);
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

/** An error about one checkpoint file, naming it and what to do. */
function checkpointError(file: string, detail: string, cause?: unknown): Error {
  return new Error(`checkpoint file ${file}: ${detail}; restore that checkpoint folder, or train again without --resume into a fresh --run`, {
    cause,
  });
}

function parseState<Config>(
  file: string,
  text: string,
): { progress: TrainingProgress; config: Config; optimizerSpecs: tf.io.WeightsManifestEntry[] } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw checkpointError(file, `is not valid JSON (${(error as Error).message})`, error);
  }
  const state = value as { progress?: Partial<TrainingProgress>; config?: unknown; optimizerSpecs?: unknown } | null;
  const progress = state?.progress;
  if (
    typeof state !== 'object' ||
    state === null ||
    typeof state.config !== 'object' ||
    state.config === null ||
    !Array.isArray(state.optimizerSpecs) ||
    typeof progress !== 'object' ||
    !Number.isInteger(progress.completedEpochs) ||
    !Number.isInteger(progress.completedBatches) ||
    !Array.isArray(progress.history)
  ) {
    throw checkpointError(file, 'is not a checkpoint state (expected progress, config and optimizerSpecs)');
  }
  return value as { progress: TrainingProgress; config: Config; optimizerSpecs: tf.io.WeightsManifestEntry[] };
}

const BYTES_PER_ELEMENT: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8, uint8: 1, uint16: 2, float16: 2 };

/** Checks that a weights file's size is what its specs say, naming the file when not. */
function checkWeightBytes(file: string, data: Uint8Array, specs: tf.io.WeightsManifestEntry[]): void {
  let expected = 0;
  for (const spec of specs) {
    const perElement = BYTES_PER_ELEMENT[spec.quantization?.dtype ?? spec.dtype];
    if (perElement === undefined || !Array.isArray(spec.shape)) throw checkpointError(file, `has an unreadable weight spec '${String(spec.name)}'`);
    expected += perElement * spec.shape.reduce((a, b) => a * b, 1);
  }
  if (data.byteLength !== expected) {
    throw checkpointError(file, `holds ${data.byteLength} bytes where its specs need ${expected} (truncated or from another model?)`);
  }
}

/** Decodes a weights file whose size was checked, naming the file when it cannot be. */
function decodeWeightFile(file: string, data: Uint8Array, specs: tf.io.WeightsManifestEntry[]): tf.NamedTensorMap {
  checkWeightBytes(file, data, specs);
  try {
    return tf.io.decodeWeights(new Uint8Array(data).buffer, specs);
  } catch (error) {
    throw checkpointError(file, `cannot be decoded (${(error as Error).message})`, error);
  }
}

async function loadModelFrom(dir: string): Promise<tf.LayersModel> {
  const modelPath = join(dir, MODEL);
  const weightsPath = join(dir, WEIGHTS);
  let modelJson: unknown;
  try {
    modelJson = JSON.parse(await readFile(modelPath, 'utf8'));
  } catch (error) {
    throw checkpointError(
      modelPath,
      error instanceof SyntaxError ? `is not valid JSON (${error.message})` : `cannot be read (${(error as Error).message})`,
      error,
    );
  }
  const weights = await readFile(weightsPath).catch((error: NodeJS.ErrnoException) => {
    throw checkpointError(weightsPath, `cannot be read (${error.code ?? error.message})`, error);
  });
  const manifest = (modelJson as { weightsManifest?: { weights?: tf.io.WeightsManifestEntry[] }[] } | null)?.weightsManifest;
  if (!Array.isArray(manifest)) throw checkpointError(modelPath, 'is not a tfjs model.json (no weightsManifest)');
  // Checked here, so a truncated file names itself instead of failing inside tfjs.
  checkWeightBytes(
    weightsPath,
    weights,
    manifest.flatMap((group) => group.weights ?? []),
  );
  try {
    return await decodeLayersModel(modelJson, [weights]);
  } catch (error) {
    throw checkpointError(modelPath, `tfjs could not build the model (${(error as Error).message})`, error);
  }
}
