import * as tf from '@tensorflow/tfjs';
import {
  EXPRESSIONS,
  MANIFEST_FILE,
  MANIFEST_VERSION,
  encodeLayersModel,
  encodeSvm,
  sha256Hex,
  type ArtifactReader,
  type Manifest,
  type SvmParams,
} from '../src/index.js';

/** A small but real artifact folder, held in memory, for loader and classifier tests. */
export interface TinyArtifacts {
  files: Map<string, Uint8Array>;
  manifest: Manifest;
  svm: SvmParams;
  reader: ArtifactReader;
}

export const FEATURE_LAYER = 'features';

/** A seeded conv net with the same naming contract as the real one (a named feature layer, a softmax head). */
export function tinyCnn(seed = 1): tf.LayersModel {
  const input = tf.input({ shape: [48, 48, 1] });
  let x = tf.layers
    .conv2d({ filters: 4, kernelSize: 3, strides: 2, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed }) })
    .apply(input) as tf.SymbolicTensor;
  x = tf.layers.maxPooling2d({ poolSize: 4 }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.flatten({ name: FEATURE_LAYER }).apply(x) as tf.SymbolicTensor;
  const out = tf.layers
    .dense({ units: EXPRESSIONS.length, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) })
    .apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

/** A deterministic pseudo-random sequence in [-1, 1). */
export function sequence(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 31 - 1;
  };
}

export function readerOf(files: ReadonlyMap<string, Uint8Array>): ArtifactReader {
  return (path) => {
    const bytes = files.get(path);
    return bytes === undefined ? Promise.reject(new Error('not found')) : Promise.resolve(bytes);
  };
}

export async function tinyArtifacts(): Promise<TinyArtifacts> {
  const cnn = tinyCnn();
  const featureDims = (cnn.getLayer(FEATURE_LAYER).outputShape as number[])[1] as number;
  // float32 values, as svm.bin stores them, so a loaded SVM equals this one exactly.
  const generate = sequence(7);
  const next = () => Math.fround(generate());
  const svm: SvmParams = {
    featureMean: Array.from({ length: featureDims }, () => Math.abs(next())),
    featureStd: Array.from({ length: featureDims }, () => Math.fround(0.5 + Math.abs(next()))),
    weights: EXPRESSIONS.map(() => Array.from({ length: featureDims }, () => next())),
    bias: EXPRESSIONS.map(() => Math.fround(next() / 10)),
  };
  const { modelJson, weights } = await encodeLayersModel(cnn, 'weights.bin');
  cnn.dispose();
  const files = new Map<string, Uint8Array>([
    ['cnn/model.json', modelJson],
    ['cnn/weights.bin', weights],
    ['svm.bin', encodeSvm(svm)],
  ]);
  const hashes: Manifest['files'] = {};
  for (const [path, bytes] of files) hashes[path] = { sha256: await sha256Hex(bytes), bytes: bytes.byteLength };
  const manifest: Manifest = {
    version: MANIFEST_VERSION,
    createdAt: '2026-01-01T00:00:00.000Z',
    labels: [...EXPRESSIONS],
    input: { height: 48, width: 48, channels: 1, mean: 0.5, std: 0.25, cropMargin: 0.15 },
    cnn: { modelPath: 'cnn/model.json', featureLayer: FEATURE_LAYER, featureDims, parameters: 1 },
    svm: { path: 'svm.bin', encoding: 'float32-le', C: 0.1, loss: 'squared-hinge' },
    calibration: { method: 'temperature', temperature: 2, fittedOn: 'PublicTest' },
    metrics: {},
    training: {},
    data: { source: 'generated', fingerprint: 'none', counts: {} },
    files: hashes,
  };
  files.set(MANIFEST_FILE, new TextEncoder().encode(JSON.stringify(manifest)));
  return { files, manifest, svm, reader: readerOf(files) };
}
