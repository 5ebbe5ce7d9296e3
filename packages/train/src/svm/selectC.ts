import { cpus } from 'node:os';
import pLimit from 'p-limit';
import { sharedCopy } from '../system/sharedMemory.js';
import { WorkerJobs } from '../system/workerJobs.js';
import { predictClasses, type LinearSvmModel, type LinearSvmOptions } from './linearSvm.js';
import type { SvmJob, SvmReply } from './svmWorker.js';

/** Features (row-major [n * dims]) with their class indices. */
export interface LabeledFeatures {
  features: Float32Array;
  labels: Uint8Array;
}

/** Everything {@link fitLinearSvm} takes except C, which is what is being chosen (and a progress callback). */
export interface SelectCOptions extends Omit<LinearSvmOptions, 'C' | 'onProgress'> {
  dims: number;
  numClasses: number;
  /** Candidates fitted at once, each in its own worker thread (one core each). Default: one per core. */
  threads?: number;
}

export interface CandidateResult {
  C: number;
  /** Fraction of validation samples classified correctly. */
  accuracy: number;
  /** Kept so the winner need not be fitted again. */
  model: LinearSvmModel;
}

const WORKER_URL = new URL('./svmWorker.ts', import.meta.url);

/**
 * C is the one hyper-parameter of the linear SVM and the right value depends on the features, so it
 * is chosen on held-out data: the validation split carved from Training, never a test split.
 * Ties go to the smaller C (stronger regularisation, faster fit). Training features in a SharedArrayBuffer are read
 * in place by the workers; others are copied into one first.
 */
export async function selectC(
  train: LabeledFeatures,
  validation: LabeledFeatures,
  candidates: readonly number[],
  options: SelectCOptions,
): Promise<{ results: CandidateResult[]; best: CandidateResult }> {
  if (candidates.length === 0) throw new RangeError('selectC needs at least one candidate C');
  const { dims, numClasses, threads = cpus().length, ...fitOptions } = options;
  // The solver is single-threaded JS: candidates fit side by side, one core each, reading one shared copy.
  const features = train.features.buffer instanceof SharedArrayBuffer ? train.features : sharedCopy(train.features);
  const jobs = new WorkerJobs();
  const fit = (C: number) =>
    jobs.run(
      WORKER_URL,
      { features, labels: train.labels, dims, numClasses, options: { ...fitOptions, C } } satisfies SvmJob,
      `the SVM fit for C=${C}`,
      fitted,
    );
  const models = await pLimit(Math.max(1, threads))
    .map(candidates, fit)
    .catch((error: unknown) => {
      jobs.stopAll();
      throw error;
    });
  const results = candidates.map((C, i): CandidateResult => ({
    C,
    accuracy: accuracy(predictClasses(models[i]!, validation.features), validation.labels),
    model: models[i]!,
  }));
  let best = results[0]!;
  for (const r of results) {
    if (r.accuracy > best.accuracy || (r.accuracy === best.accuracy && r.C < best.C)) best = r;
  }
  return { results, best };
}

function fitted(reply: SvmReply): LinearSvmModel {
  if (reply.kind === 'error') throw new Error(reply.message);
  return reply.model;
}

function accuracy(predicted: Uint8Array, labels: Uint8Array): number {
  if (labels.length === 0 || predicted.length !== labels.length) {
    throw new RangeError(`${predicted.length} predictions for ${labels.length} validation labels`);
  }
  let correct = 0;
  for (let i = 0; i < labels.length; i++) if (predicted[i] === labels[i]) correct++;
  return correct / labels.length;
}
