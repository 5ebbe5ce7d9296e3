/**
 * Worker-thread entry of `extractFeatures`: one share of the faces through a CNN, keeping a layer's
 * activations and the softmax head's probabilities, each averaged over the views. One worker per
 * core, since the wasm backend runs one thread per process.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import {
  NUM_EXPRESSIONS,
  applyFeatureNetwork,
  decodeLayersModel,
  featureNetwork,
  type FaceViews,
  type InputSpec,
  type LayersModelFiles,
} from '@fer/core';
import { selectTrainingBackend, type BackendPreference } from '../backend/selectBackend.js';
import { copyRows, facesPerBatch, forEachBatch } from './batches.js';

export interface FeatureJob {
  /** The CNN, as the two files of the tfjs format. */
  model: LayersModelFiles;
  featureLayer: string;
  /** Also return the layer's activations; without, only the probabilities (the teacher's case). */
  keepFeatures: boolean;
  /** Faces, grey 0-255, back to back. */
  pixels: Uint8Array;
  count: number;
  input: InputSpec;
  views: FaceViews;
  backend: Exclude<BackendPreference, 'auto'>;
}

export type FeatureReply =
  | { kind: 'progress'; done: number }
  | { kind: 'done'; features: Float32Array | undefined; dims: number; probabilities: Float32Array }
  | { kind: 'error'; message: string };

const port = parentPort;
if (port === null) throw new Error('featureWorker.ts runs as a worker thread only');
const job = workerData as FeatureJob;

try {
  await selectTrainingBackend({ prefer: job.backend });
  const cnn = await decodeLayersModel(JSON.parse(new TextDecoder().decode(job.model.modelJson)), [job.model.weights]);
  const network = featureNetwork(cnn, job.featureLayer);
  const features = job.keepFeatures ? new Float32Array(job.count * network.featureDims) : undefined;
  const probabilities = new Float32Array(job.count * NUM_EXPRESSIONS);
  await forEachBatch(job, job.input, facesPerBatch(job.views), async (batch, start, count) => {
    const [featureRows, rows] = applyFeatureNetwork(network, batch, job.views);
    try {
      if (features !== undefined) await copyRows(featureRows, features, start);
      await copyRows(rows, probabilities, start);
    } finally {
      tf.dispose([featureRows, rows]);
    }
    port.postMessage({ kind: 'progress', done: start + count } satisfies FeatureReply);
  });
  const transfers = features === undefined ? [probabilities.buffer] : [features.buffer, probabilities.buffer];
  port.postMessage({ kind: 'done', features, dims: network.featureDims, probabilities } satisfies FeatureReply, transfers);
} catch (error) {
  port.postMessage({ kind: 'error', message: error instanceof Error ? error.message : String(error) } satisfies FeatureReply);
}
