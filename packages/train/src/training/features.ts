import { cpus } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { NUM_EXPRESSIONS, encodeLayersModel, type FaceViews, type InputSpec, type LayersModelFiles } from '@fer/core';
import type { LabeledImages } from '../data/dataset.js';
import { runningBackend } from '../backend/selectBackend.js';
import { WorkerJobs } from '../system/workerJobs.js';
import type { FeatureJob, FeatureReply } from './featureWorker.js';

/** A split seen through the CNN: the SVM's inputs and the CNN's own predictions. */
export interface ExtractedFeatures {
  /** Row-major [count, dims]: the flattened feature layer. */
  features: Float32Array;
  dims: number;
  /** Row-major [count, 7]: the CNN softmax head's probabilities. */
  cnnProbabilities: Float32Array;
}

export interface ExtractOptions {
  /** Worker threads sharing the faces, one core each. Default: one per core. */
  threads?: number;
  /** Only the softmax head's probabilities are wanted: `features` comes back empty. */
  probabilitiesOnly?: boolean;
  /** Faces done so far, over all threads. */
  onProgress?: (done: number) => void;
}

const WORKER_URL = new URL('./featureWorker.ts', import.meta.url);

/**
 * Runs the CNN over a split once (no augmentation), keeping the named layer's activations,
 * averaged over each image's `views` (as the shipped classifier does). The faces are shared out
 * to worker threads in contiguous parts, so every core works.
 */
export async function extractFeatures(
  cnn: tf.LayersModel | LayersModelFiles,
  featureLayer: string,
  images: LabeledImages,
  input: InputSpec,
  views: FaceViews,
  options: ExtractOptions = {},
): Promise<ExtractedFeatures> {
  const { threads = cpus().length, probabilitiesOnly = false, onProgress } = options;
  const model = cnn instanceof tf.LayersModel ? await encodeLayersModel(cnn, 'weights.bin') : cnn;
  const area = input.height * input.width;
  const parts = Math.max(1, Math.min(threads, images.count));
  const bounds = Array.from(
    { length: parts },
    (_, t) => [Math.floor((t * images.count) / parts), Math.floor(((t + 1) * images.count) / parts)] as const,
  );
  const done = bounds.map(() => 0);
  const backend = runningBackend();
  const jobs = new WorkerJobs();
  const share = ([start, end]: readonly [number, number], t: number) => {
    const job: FeatureJob = {
      model,
      featureLayer,
      keepFeatures: !probabilitiesOnly,
      pixels: images.pixels.slice(start * area, end * area),
      count: end - start,
      input,
      views,
      backend,
    };
    return jobs.run(WORKER_URL, job, `feature extraction ('${featureLayer}', faces ${start}-${end})`, (reply: FeatureReply) => {
      if (reply.kind === 'error') throw new Error(reply.message);
      if (reply.kind === 'done') return reply;
      done[t] = reply.done;
      onProgress?.(done.reduce((sum, n) => sum + n, 0));
      return undefined;
    });
  };
  const results = await Promise.all(bounds.map(share)).catch((error: unknown) => {
    jobs.stopAll();
    throw error;
  });
  const dims = probabilitiesOnly ? 0 : (results[0]?.dims ?? 0);
  const features = new Float32Array(images.count * dims);
  const cnnProbabilities = new Float32Array(images.count * NUM_EXPRESSIONS);
  results.forEach((result, t) => {
    const [start] = bounds[t]!;
    if (result.features !== undefined) features.set(result.features, start * dims);
    cnnProbabilities.set(result.probabilities, start * NUM_EXPRESSIONS);
  });
  return { features, dims, cnnProbabilities };
}
