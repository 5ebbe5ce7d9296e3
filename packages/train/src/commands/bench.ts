import { fork } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { version_wasm } from '@tensorflow/tfjs-backend-wasm';
import { MANIFEST_FILE } from '@fer/core';
import {
  TRAINING_CONFIGURATIONS,
  type BenchJob,
  type InferenceJob,
  type InferenceResult,
  type Timing,
  type TrainingConfiguration,
  type TrainResult,
  type Unavailable,
} from '../bench/jobs.js';
import { markdownTable } from '../evaluation/report.js';
import { PRESETS, type PresetName } from './presets.js';
import { TSX_EXEC_ARGV } from '../system/tsxLoader.js';
import { makeDirectory } from '../system/fsAtomic.js';

export interface BenchCommandOptions {
  preset: PresetName;
  /** Timed training steps per configuration (after the warm-up). */
  steps: number;
  models: string;
  /** JSON output; default `<resultsDir>/train-<timestamp>.json`. */
  out?: string;
  resultsDir: string;
}

/** Untimed first steps: the first allocates weights, optimizer slots and kernel setups. */
const WARMUP_STEPS = 2;
const INFERENCE_BATCHES = [1, 64];
/** Inference calls are cheap next to a training step, so they are timed more often per step asked for. */
const INFERENCE_RUNS_PER_STEP = 3;

const WORKER = fileURLToPath(new URL('../bench/worker.ts', import.meta.url));

/** Runs one job in a fresh Node process (see bench/worker.ts); a crash comes back as Unavailable. */
function runWorker<R>(job: BenchJob): Promise<R | Unavailable> {
  return new Promise((done) => {
    // The TypeScript loader by absolute URL, so the worker starts from any working directory.
    const child = fork(WORKER, [JSON.stringify(job)], {
      execArgv: TSX_EXEC_ARGV,
      // tfjs chats on stdout; stderr is kept to explain a crash.
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let result: R | undefined;
    let stderr = '';
    child.on('message', (message) => (result = message as R));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', (error) => done({ available: false, reason: `bench worker did not start: ${error.message}` }));
    child.on('close', (code, signal) => {
      const lastLine = stderr.trim().split('\n').pop() ?? '';
      done(result ?? { available: false, reason: `bench worker exited (${signal ?? `code ${code}`}) without a result: ${lastLine}` });
    });
  });
}

const fmt = (n: number): string => n.toFixed(n >= 100 ? 0 : n >= 10 ? 1 : 2);
const percent = (share: number): string => `${(100 * share).toFixed(1)}%`;

function timingCells(t: Timing): string[] {
  return [fmt(t.msPerBatch.median), fmt(t.msPerBatch.min), fmt(t.msPerImage.median), fmt(t.msPerImage.min), fmt(t.imagesPerSecond.median)];
}

/**
 * Images/s of `a` over `b`, when both ran: of the medians, and of the best steps, which suffer
 * least from other processes when the machine's load changes between configurations.
 */
function speedup(a: TrainResult, b: TrainResult): { median: number; best: number } | null {
  if (!a.available || !b.available) return null;
  return {
    median: a.timing.imagesPerSecond.median / b.timing.imagesPerSecond.median,
    best: a.timing.imagesPerSecond.max / b.timing.imagesPerSecond.max,
  };
}

/** What `pnpm bench` writes as JSON. */
export type BenchReport = Awaited<ReturnType<typeof measure>>;

async function measure(options: BenchCommandOptions, startedAt: Date) {
  const presetConfig = PRESETS[options.preset].train;
  const loadAtStart = loadavg();
  const training = {} as Record<TrainingConfiguration, TrainResult>;
  for (const configuration of Object.keys(TRAINING_CONFIGURATIONS) as TrainingConfiguration[]) {
    console.error(`bench: training steps on ${TRAINING_CONFIGURATIONS[configuration].label}...`);
    training[configuration] = await runWorker<TrainResult>({
      kind: 'train',
      configuration,
      cnn: presetConfig.cnn,
      loss: presetConfig.loss,
      learningRate: presetConfig.learningRate,
      batchSize: presetConfig.batchSize,
      warmup: WARMUP_STEPS,
      steps: options.steps,
      profile: configuration === 'wasm-patched',
    });
  }
  const inferenceJob: InferenceJob = {
    kind: 'inference',
    models: options.models,
    batchSizes: INFERENCE_BATCHES,
    warmup: WARMUP_STEPS,
    runs: INFERENCE_RUNS_PER_STEP * options.steps,
  };
  let inference: InferenceResult;
  if (existsSync(join(options.models, MANIFEST_FILE))) {
    console.error(`bench: inference of the CNN+SVM in ${options.models}...`);
    inference = await runWorker<InferenceResult>(inferenceJob);
  } else {
    inference = { available: false, reason: `no shipped model: ${join(options.models, MANIFEST_FILE)} is absent (pnpm train exports one)` };
  }
  const cpuList = cpus();
  return {
    createdAt: startedAt.toISOString(),
    command: `pnpm bench ${process.argv.slice(3).join(' ')}`.trim(),
    machine: {
      cpu: cpuList[0]?.model ?? 'unknown',
      cores: cpuList.length,
      totalMemoryBytes: totalmem(),
      platform: process.platform,
      arch: process.arch,
      node: process.version,
      /** 1/5/15-minute load averages: other work on the machine slows every figure alike. */
      loadAverage: { start: loadAtStart, end: loadavg() },
    },
    versions: { tfjs: tf.version.tfjs, tfjsBackendWasm: version_wasm },
    config: {
      preset: options.preset,
      cnn: presetConfig.cnn,
      input: [presetConfig.cnn.inputSize, presetConfig.cnn.inputSize, 1],
      batchSize: presetConfig.batchSize,
      optimizer: { name: 'adam', learningRate: presetConfig.learningRate },
      data: 'random normal inputs and random labels, fixed across steps',
      warmupSteps: WARMUP_STEPS,
      timedSteps: options.steps,
      inference: { models: options.models, batchSizes: inferenceJob.batchSizes, warmup: inferenceJob.warmup, runs: inferenceJob.runs },
    },
    training,
    speedups: {
      patchedOverStockWasm: speedup(training['wasm-patched'], training['wasm-stock']),
      patchedOverConvKernels: speedup(training['wasm-patched'], training['wasm-conv-kernels']),
      twoThreadsOverOne: speedup(training['wasm-patched-2'], training['wasm-patched']),
      /** What `pnpm train` runs (all kernels, two threads) over wasm with only the two conv kernels replaced. */
      trainOverConvKernels: speedup(training['wasm-patched-2'], training['wasm-conv-kernels']),
      tfjsNodeOverPatchedWasm: speedup(training['tfjs-node'], training['wasm-patched']),
    },
    inference,
  };
}

function summary(report: BenchReport): string {
  const { config, training, machine } = report;
  const lines = [
    `${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, tfjs ${report.versions.tfjs}; ` +
      `load average ${machine.loadAverage.start[0]?.toFixed(2)} at start, ${machine.loadAverage.end[0]?.toFixed(2)} at end`,
    '',
    `Training step: preset '${config.preset}', batch ${config.batchSize} of ${config.input.join('x')}, Adam; ` +
      `${config.timedSteps} timed steps after ${config.warmupSteps} warm-up`,
    markdownTable(
      ['configuration', 'backend', 'ms/step median', 'ms/step min', 'ms/image median', 'ms/image min', 'images/s median'],
      (Object.keys(training) as TrainingConfiguration[]).map((key) => {
        const r = training[key];
        const label = TRAINING_CONFIGURATIONS[key].label;
        return r.available ? [label, r.backend.description, ...timingCells(r.timing)] : [label, `unavailable: ${r.reason}`, '-', '-', '-', '-', '-'];
      }),
    ),
  ];
  const stock = training['wasm-stock'];
  if (stock.available && stock.stockTrainingError != null) {
    lines.push(`Stock wasm alone cannot train a conv net: ${stock.stockTrainingError}`);
  }
  const ratios: [string, keyof BenchReport['speedups']][] = [
    ['All our kernels over stock wasm (+ our filter kernel)', 'patchedOverStockWasm'],
    ['All our kernels over only the two conv-gradient kernels', 'patchedOverConvKernels'],
    ['Two data-parallel threads over one', 'twoThreadsOverOne'],
    ['`pnpm train` (all kernels, two threads) over only the two conv-gradient kernels', 'trainOverConvKernels'],
  ];
  for (const [title, key] of ratios) {
    const ratio = report.speedups[key];
    if (ratio !== null) lines.push(`${title}: ${ratio.median.toFixed(2)}x images/s (medians), ${ratio.best.toFixed(2)}x (best steps).`);
  }
  const patched = training['wasm-patched'];
  if (patched.available && patched.profile !== undefined) {
    const p = patched.profile;
    lines.push(
      '',
      `One patched-wasm step under tf.profile: ${fmt(p.stepMs)} ms, top-level kernels (inclusive of the kernels they run)`,
      markdownTable(
        ['kernel', 'calls', 'ms', 'share of step'],
        [
          ...p.top.map((k) => [k.kernel, k.calls, fmt(k.ms), percent(k.share)]),
          ['other kernels', '', fmt(p.otherKernelsMs), percent(p.otherKernelsMs / p.stepMs)],
          ['outside kernels (JS)', '', fmt(p.stepMs - p.kernelMs), percent((p.stepMs - p.kernelMs) / p.stepMs)],
        ],
      ),
    );
  }
  const inference = report.inference;
  lines.push('', `Inference of the shipped CNN+SVM (${config.inference.models}), classify() incl. read-back:`);
  if (inference.available) {
    lines.push(
      `${inference.backend.description}, features from '${inference.featureLayer}', ${config.inference.runs} timed calls per batch size`,
      markdownTable(
        ['batch', 'ms/batch median', 'ms/batch min', 'ms/image median', 'ms/image min', 'images/s median'],
        inference.timings.map((t) => [t.batch, ...timingCells(t)]),
      ),
    );
  } else {
    lines.push(`unavailable: ${inference.reason}`);
  }
  return lines.join('\n');
}

/**
 * `fer bench`: training throughput on stock wasm, patched wasm and tfjs-node, where a training
 * step's time goes, and inference speed, all in one run so the ratios share the machine's load.
 */
export async function runBench(options: BenchCommandOptions): Promise<number> {
  const startedAt = new Date();
  // Colons are not allowed in Windows file names.
  const out = resolve(options.out ?? join(options.resultsDir, `train-${startedAt.toISOString().replace(/:/g, '-')}.json`));
  const report = await measure(options, startedAt);
  await makeDirectory(dirname(out));
  await writeFile(out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(summary(report));
  console.error(`results written to ${out}`);
  return report.training['wasm-patched'].available ? 0 : 1;
}
