/**
 * Worker-thread entry of `selectC`: fits one candidate C. The features arrive in shared memory,
 * so every candidate reads the same copy; the fitted weights move back.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { fitLinearSvm, type LinearSvmModel, type LinearSvmOptions } from './linearSvm.js';

export interface SvmJob {
  /** Row-major [labels.length, dims], backed by a SharedArrayBuffer. */
  features: Float32Array;
  labels: Uint8Array;
  dims: number;
  numClasses: number;
  /** `fitLinearSvm`'s options without the progress callback, which cannot cross threads. */
  options: Omit<LinearSvmOptions, 'onProgress'>;
}

export type SvmReply = { kind: 'done'; model: LinearSvmModel } | { kind: 'error'; message: string };

const port = parentPort;
if (port === null) throw new Error('svmWorker.ts runs as a worker thread only');
const job = workerData as SvmJob;
try {
  const model = fitLinearSvm(job.features, job.labels, job.dims, job.numClasses, job.options);
  // Fresh (unshared) arrays: their buffers can move.
  port.postMessage({ kind: 'done', model } satisfies SvmReply, [model.weights.buffer as ArrayBuffer, model.bias.buffer as ArrayBuffer]);
} catch (error) {
  port.postMessage({ kind: 'error', message: error instanceof Error ? error.message : String(error) } satisfies SvmReply);
}
