/// <reference lib="webworker" />
/**
 * The saliency worker: saliency maps, a backward pass through the CNN several times the cost of
 * classifying, computed beside the analysis worker rather than in it, so that no frame's labels
 * wait for a map. The analysis worker sends it face crops over a MessagePort (the page hands this
 * worker the port in its first message) and shows the latest maps it got back.
 */
import * as tf from '@tensorflow/tfjs';
import type { ExpressionClassifier } from '@fer/core';
import { saliencyOf, type Saliency } from '../pipeline/analyze';
import { loadClassifier } from '../runtime/runtime';
import type { SaliencyApi } from './protocol';
import { serve, toPlainWire } from './rpc';

declare const self: DedicatedWorkerGlobalScope;

let classifier: ExpressionClassifier | undefined;

const api: SaliencyApi = {
  async init({ urls, backend }) {
    classifier ??= (await loadClassifier(urls, { force: backend, by: 'url' }, 'saliency', true)).model;
  },
  async maps({ crops, classIndices }) {
    if (classifier === undefined) throw new Error('the saliency worker was not initialised');
    const faces = tf.tensor4d(crops.pixels, [crops.count, crops.height, crops.width, 1]);
    try {
      return await saliencyOf(classifier, faces, classIndices);
    } finally {
      faces.dispose();
    }
  },
};

/** The maps' buffers move back instead of being copied. */
function transfers(value: unknown): Transferable[] {
  return Array.isArray(value) ? (value as Saliency[]).flatMap((map) => [map.values.buffer, map.crop.buffer]) : [];
}

self.addEventListener(
  'message',
  (event: MessageEvent<{ port: MessagePort }>) => {
    const { port } = event.data;
    serve(api, port, toPlainWire, transfers);
    port.start();
  },
  { once: true },
);
