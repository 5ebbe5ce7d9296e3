/**
 * Worker-thread entry of `fer teacher`: one member CNN's probabilities for a set of faces, averaged
 * over the views. One worker per core, since the wasm backend runs one thread per process.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import {
  NUM_EXPRESSIONS,
  applyFeatureNetwork,
  decodeLayersModel,
  faceViews,
  featureNetwork,
  pixelsToInput,
  type InputSpec,
  type TestTimeView,
} from '@fer/core';
import { selectTrainingBackend } from '../backend/selectBackend.js';
import { FEATURE_LAYERS } from '../model/cnn.js';

export interface TeacherJob {
  /** Folder holding the member's model.json and weights.bin. */
  modelDir: string;
  /** Faces, 48x48 grey, back to back. */
  pixels: Uint8Array;
  count: number;
  input: InputSpec;
  mirror: boolean;
  views: readonly TestTimeView[];
}

export type TeacherReply = { kind: 'progress'; done: number } | { kind: 'done'; probabilities: Float32Array } | { kind: 'error'; message: string };

const port = parentPort;
if (port === null) throw new Error('teacherWorker.ts runs as a worker thread only');
const job = workerData as TeacherJob;
const FACES_PER_BATCH = 64;

try {
  await selectTrainingBackend({ prefer: 'wasm' });
  const modelJson: unknown = JSON.parse(await readFile(join(job.modelDir, 'model.json'), 'utf8'));
  const cnn = await decodeLayersModel(modelJson, [await readFile(join(job.modelDir, 'weights.bin'))]);
  const network = featureNetwork(cnn, FEATURE_LAYERS.embedding);
  const views = faceViews(job.input, job.mirror, job.views);
  const area = job.input.height * job.input.width;
  const probabilities = new Float32Array(job.count * NUM_EXPRESSIONS);
  for (let start = 0; start < job.count; start += FACES_PER_BATCH) {
    const count = Math.min(FACES_PER_BATCH, job.count - start);
    const batch = pixelsToInput(job.pixels.subarray(start * area, (start + count) * area), count, job.input);
    const [features, rows] = applyFeatureNetwork(network, batch, views);
    probabilities.set(await rows.data<'float32'>(), start * NUM_EXPRESSIONS);
    batch.dispose();
    features.dispose();
    rows.dispose();
    port.postMessage({ kind: 'progress', done: start + count } satisfies TeacherReply);
  }
  port.postMessage({ kind: 'done', probabilities } satisfies TeacherReply, [probabilities.buffer]);
} catch (error) {
  port.postMessage({ kind: 'error', message: error instanceof Error ? error.message : String(error) } satisfies TeacherReply);
}
