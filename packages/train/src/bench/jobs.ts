/**
 * What `fer bench` asks a worker process to measure and what it gets back (sent over IPC as JSON).
 */
import type { BackendInfo } from '../backend/selectBackend.js';
import type { LossConfig } from '../training/gradients.js';
import type { CnnConfig } from '../model/cnn.js';
import type { StepProfile } from './profile.js';

/**
 * How a training step is timed: which wasm kernels stay stock, and how many data-parallel
 * replicas (threads) share each batch. 'wasm-stock' keeps all stock kernels except our
 * Conv2DBackpropFilter: without it stock wasm cannot train a conv net at all. 'wasm-conv-kernels'
 * is stock wasm with only the two conv-gradient kernels replaced, the baseline the speed target
 * is set against.
 */
export const TRAINING_CONFIGURATIONS = {
  'wasm-stock': { label: 'wasm, stock kernels + our Conv2DBackpropFilter', stockKernels: ['Conv2DBackpropInput', 'Tile'], replicas: 1 },
  'wasm-conv-kernels': { label: 'wasm, our two conv-gradient kernels, stock Tile', stockKernels: ['Tile'], replicas: 1 },
  'wasm-patched': { label: 'wasm, all our kernels, 1 thread', stockKernels: [], replicas: 1 },
  'wasm-patched-2': { label: 'wasm, all our kernels, 2 data-parallel threads', stockKernels: [], replicas: 2 },
  'tfjs-node': { label: 'tfjs-node', stockKernels: [], replicas: 1 },
} as const satisfies Record<string, { label: string; stockKernels: readonly string[]; replicas: number }>;

export type TrainingConfiguration = keyof typeof TRAINING_CONFIGURATIONS;

export interface TrainJob {
  kind: 'train';
  configuration: TrainingConfiguration;
  cnn: CnnConfig;
  /** The preset's loss: distillation costs a little more than labels alone. */
  loss: LossConfig;
  learningRate: number;
  batchSize: number;
  warmup: number;
  steps: number;
  /** Also break one more step down by kernel with tf.profile. */
  profile: boolean;
}

export interface InferenceJob {
  kind: 'inference';
  models: string;
  batchSizes: number[];
  warmup: number;
  runs: number;
}

export type BenchJob = TrainJob | InferenceJob;

export interface Unavailable {
  available: false;
  reason: string;
}

/** Repeated timings of one batch; per-image figures divide by the batch size. */
export interface Timing {
  batch: number;
  msPerBatch: { median: number; min: number };
  msPerImage: { median: number; min: number };
  imagesPerSecond: { median: number; max: number };
  samplesMs: number[];
}

export type TrainResult =
  | Unavailable
  | {
      available: true;
      backend: Pick<BackendInfo, 'name' | 'description'>;
      /** Threads sharing each batch (data-parallel replicas). */
      replicas: number;
      timing: Timing;
      /** 'wasm-stock' only: the error a conv-net gradient throws on stock wasm, or null if it trains. */
      stockTrainingError?: string | null;
      profile?: StepProfile;
    };

export type InferenceResult =
  | Unavailable
  | {
      available: true;
      backend: Pick<BackendInfo, 'name' | 'description'>;
      featureLayer: string;
      timings: Timing[];
    };

function median(sorted: readonly number[]): number {
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export function summarizeTimes(batch: number, samplesMs: number[]): Timing {
  if (samplesMs.length === 0) throw new Error('no timings to summarize');
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const med = median(sorted);
  const min = sorted[0] as number;
  return {
    batch,
    msPerBatch: { median: med, min },
    msPerImage: { median: med / batch, min: min / batch },
    imagesPerSecond: { median: (1000 * batch) / med, max: (1000 * batch) / min },
    samplesMs,
  };
}

/** Awaits `run` `warmup` times untimed (first calls allocate and set up kernels), then times it `runs` times. */
export async function timeRuns(run: () => Promise<unknown>, warmup: number, runs: number): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await run();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await run();
    samples.push(performance.now() - start);
  }
  return samples;
}
