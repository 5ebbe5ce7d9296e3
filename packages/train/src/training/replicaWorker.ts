/**
 * Worker-thread entry of a data-parallel replica (see replicaPool.ts). It holds a copy of the
 * CNN and, per step, takes the main thread's current weights and its share of the batch, and
 * returns that share's gradients. It keeps no state between steps, so a resumed run needs
 * nothing from it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import seedrandom from 'seedrandom';
import { selectTrainingBackend } from '../backend/selectBackend.js';
import { buildCnn } from '../model/cnn.js';
import { setTrainableValues, shareGradients } from './gradients.js';
import type { ReplicaReply, ReplicaSetup, ReplicaStep } from './replicaPool.js';

const port = parentPort;
if (port === null) throw new Error('replicaWorker.ts runs as a worker thread only');
const setup = workerData as ReplicaSetup;

function reply(message: ReplicaReply, transfer: ArrayBuffer[] = []): void {
  port?.postMessage(message, transfer);
}

try {
  await selectTrainingBackend({ prefer: setup.backend });
  const model = buildCnn(setup.cnn);
  port.on('message', (step: ReplicaStep) => {
    try {
      // Dropout draws from Math.random inside tfjs: seeded per step, as on the main thread.
      seedrandom(step.seedKey, { global: true });
      setTrainableValues(model, step.weights);
      const share = shareGradients(model, step.share, setup.input, setup.loss);
      reply(
        { kind: 'gradients', share },
        share.gradients.map((g) => g.buffer as ArrayBuffer),
      );
    } catch (error) {
      reply({ kind: 'error', message: error instanceof Error ? error.message : String(error) });
    }
  });
  reply({ kind: 'ready', backend: tf.getBackend() });
} catch (error) {
  reply({ kind: 'error', message: error instanceof Error ? error.message : String(error) });
}
