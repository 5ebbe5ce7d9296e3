/**
 * Runs one `fer bench` measurement in a fresh process, which `fer bench` forks with a BenchJob
 * (JSON) as its argument; the result goes back over IPC. A process per configuration because
 * tfjs registers kernels globally per backend name: stock and patched wasm cannot be timed
 * cleanly one after the other in the same process.
 */
import * as tf from '@tensorflow/tfjs';
import seedrandom from 'seedrandom';
import { DEFAULT_CROP_MARGIN, ExpressionClassifier, NUM_EXPRESSIONS } from '@fer/core';
import { selectTrainingBackend, type BackendInfo } from '../backend/selectBackend.js';
import { registerWasmGradientKernels } from '@fer/core/wasm-gradients';
import { folderReader } from '../export/nodeReader.js';
import { buildCnn } from '../model/cnn.js';
import { TrainingStep } from '../training/step.js';
import {
  TRAINING_CONFIGURATIONS,
  summarizeTimes,
  timeRuns,
  type BenchJob,
  type InferenceJob,
  type InferenceResult,
  type Timing,
  type TrainJob,
  type TrainResult,
} from './jobs.js';
import { profileStep } from './profile.js';

const SEED = 42;

const errorMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** The error a conv-net gradient throws on the current kernels, or null when it works. */
function convGradientError(): string | null {
  const x = tf.ones([1, 4, 4, 1]);
  const filter = tf.ones([3, 3, 1, 1]);
  try {
    tf.grad((f: tf.Tensor) => tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 1, 'same').sum())(filter).dispose();
    return null;
  } catch (error) {
    return errorMessage(error);
  } finally {
    tf.dispose([x, filter]);
  }
}

/**
 * Initialises wasm with our kernels except `stockKernels`, which are put back to wasm's own.
 * Our registration replaces three kernels at once, so the stock ones are captured first; the
 * backend is started only then, because a kernel's setup runs when its backend starts. With
 * no stock Conv2DBackpropFilter to put back, wasm's own failure to train is recorded by
 * lifting ours for one gradient.
 */
async function wasmWith(stockKernels: readonly string[]): Promise<{ backend: BackendInfo; stockTrainingError?: string | null }> {
  const stock = stockKernels.map((name) => tf.getKernel(name, 'wasm'));
  registerWasmGradientKernels();
  for (const config of stock) {
    if (config === undefined) continue;
    tf.unregisterKernel(config.kernelName, 'wasm');
    tf.registerKernel(config);
  }
  if (!stockKernels.includes(tf.Conv2DBackpropInput)) return { backend: await selectTrainingBackend({ prefer: 'wasm' }) };
  const ourFilter = tf.getKernel(tf.Conv2DBackpropFilter, 'wasm');
  if (ourFilter === undefined) throw new Error('no Conv2DBackpropFilter kernel');
  tf.unregisterKernel(tf.Conv2DBackpropFilter, 'wasm');
  // registerWasmGradientKernels is idempotent, so this leaves the stock set in place.
  const backend = await selectTrainingBackend({ prefer: 'wasm' });
  const stockTrainingError = convGradientError();
  tf.registerKernel(ourFilter);
  return { backend, stockTrainingError };
}

async function trainJob(job: TrainJob): Promise<TrainResult> {
  const configuration = TRAINING_CONFIGURATIONS[job.configuration];
  const { backend, stockTrainingError } =
    job.configuration === 'tfjs-node'
      ? { backend: await selectTrainingBackend({ prefer: 'node' }), stockTrainingError: undefined }
      : await wasmWith(configuration.stockKernels);

  const side = job.cnn.inputSize;
  const random = seedrandom(String(SEED));
  const pixels = Float32Array.from({ length: job.batchSize * side * side }, () => Math.floor(random() * 256));
  const labels = Uint8Array.from({ length: job.batchSize }, () => Math.floor(random() * NUM_EXPRESSIONS));
  const teacher = Float32Array.from({ length: job.batchSize * NUM_EXPRESSIONS }, () => 1 / NUM_EXPRESSIONS);
  const dropoutKeys = Array.from({ length: configuration.replicas }, (_, r) => `bench:${r}`);
  const model = buildCnn(job.cnn);
  const optimizer = tf.train.adam(job.learningRate);
  // The trainer's own step, so the bench times exactly what `pnpm train` runs.
  // Any fixed normalisation does for timing.
  const input = { height: side, width: side, channels: 1, mean: 0.5, std: 0.25, cropMargin: DEFAULT_CROP_MARGIN } as const;
  const training = await TrainingStep.create({ model, optimizer, input, loss: job.loss, replicas: configuration.replicas, cnn: job.cnn });
  try {
    const step = () => training.run({ pixels, labels, teacher }, dropoutKeys);
    const timing = summarizeTimes(job.batchSize, await timeRuns(step, job.warmup, job.steps));
    const profile = job.profile ? await profileStep(step) : undefined;
    return {
      available: true,
      backend: { name: backend.name, description: backend.description },
      replicas: configuration.replicas,
      timing,
      ...(stockTrainingError === undefined ? {} : { stockTrainingError }),
      ...(profile === undefined ? {} : { profile }),
    };
  } finally {
    await training.close();
  }
}

/** Times the shipped classifier end to end as the app calls it: grey faces in, predictions read back. */
async function inferenceJob(job: InferenceJob): Promise<InferenceResult> {
  const backend = await selectTrainingBackend({ prefer: 'wasm' });
  const classifier = await ExpressionClassifier.create(folderReader(job.models));
  const { height, width } = classifier.manifest.input;
  const timings: Timing[] = [];
  for (const batch of job.batchSizes) {
    const faces = tf.tidy(() => tf.randomUniform<tf.Rank.R4>([batch, height, width, 1], 0, 256, 'int32', SEED));
    timings.push(summarizeTimes(batch, await timeRuns(() => classifier.classify(faces), job.warmup, job.runs)));
    faces.dispose();
  }
  classifier.dispose();
  return {
    available: true,
    backend: { name: backend.name, description: backend.description },
    featureLayer: classifier.manifest.cnn.featureLayer,
    timings,
  };
}

async function run(job: BenchJob): Promise<TrainResult | InferenceResult> {
  try {
    return job.kind === 'train' ? await trainJob(job) : await inferenceJob(job);
  } catch (error) {
    return { available: false, reason: errorMessage(error) };
  }
}

if (process.send === undefined) throw new Error('bench worker: start it through `fer bench` (it reports over IPC)');
const result = await run(JSON.parse(process.argv[2] ?? '') as BenchJob);
process.send(result, () => process.disconnect());
