/**
 * Worker-thread entry of `extractFeatures`: one share of the faces through a CNN, keeping a layer's
 * activations and the softmax head's probabilities, each averaged over the views. One worker per
 * core, since the wasm backend runs one thread per process.
 */
import { parentPort, workerData } from 'node:worker_threads';
import {
  NUM_EXPRESSIONS,
  applyFeatureNetwork,
  decodeLayersModel,
  featureNetwork,
  pixelsToInput,
  type FaceViews,
  type InputSpec,
  type LayersModelFiles,
} from '@fer/core';
import { selectTrainingBackend, type BackendPreference } from '../backend/selectBackend.js';
import { facesPerBatch } from './batches.js';

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
  const area = job.input.height * job.input.width;
  const features = job.keepFeatures ? new Float32Array(job.count * network.featureDims) : undefined;
  const probabilities = new Float32Array(job.count * NUM_EXPRESSIONS);
  const batchSize = facesPerBatch(job.views);
  for (let start = 0; start < job.count; start += batchSize) {
    const count = Math.min(batchSize, job.count - start);
    const batch = pixelsToInput(job.pixels.subarray(start * area, (start + count) * area), count, job.input);
    const [featureRows, rows] = applyFeatureNetwork(network, batch, job.views);
    if (features !== undefined) features.set(await featureRows.data<'float32'>(), start * network.featureDims);
    probabilities.set(await rows.data<'float32'>(), start * NUM_EXPRESSIONS);
    batch.dispose();
    featureRows.dispose();
    rows.dispose();
    port.postMessage({ kind: 'progress', done: start + count } satisfies FeatureReply);
  }
  const transfers = features === undefined ? [probabilities.buffer] : [features.buffer, probabilities.buffer];
  port.postMessage({ kind: 'done', features, dims: network.featureDims, probabilities } satisfies FeatureReply, transfers);
} catch (error) {
  port.postMessage({ kind: 'error', message: error instanceof Error ? error.message : String(error) } satisfies FeatureReply);
}
