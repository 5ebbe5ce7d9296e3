import { Float16Array } from '@petamoriken/float16';
import * as tf from '@tensorflow/tfjs';
import type { LayersModelFiles } from '@fer/core';

/**
 * Half-precision weights for the shipped CNN: half the download and the PWA cache, for a change
 * in the features far below the SVM's margin. tfjs decodes float16-quantized weights itself
 * (weight spec `quantization: { dtype: 'float16' }`), so readers need nothing new.
 *
 * The export first rounds the model's own weights to float16 (`roundWeightsToFloat16`) and only
 * then extracts features and fits the SVM, so the SVM is fitted on exactly the network users run
 * and the export check (reloaded scores = training's) holds to float32 round-off.
 */

/** Rounds every float32 weight of `model` to the nearest float16 value, in place. */
export function roundWeightsToFloat16(model: tf.LayersModel): void {
  const rounded = model.getWeights().map((weight) => {
    if (weight.dtype !== 'float32') return weight.clone();
    const values = Float32Array.from(Float16Array.from(weight.dataSync()));
    return tf.tensor(values, weight.shape, 'float32');
  });
  model.setWeights(rounded);
  tf.dispose(rounded);
}

interface WeightGroup {
  paths: string[];
  weights: tf.io.WeightsManifestEntry[];
}

const BYTES_PER_ELEMENT: Partial<Record<tf.io.WeightsManifestEntry['dtype'], number>> = { float32: 4, int32: 4, bool: 1 };

/**
 * Re-encodes the files of `encodeLayersModel` with float32 weights stored as float16 (other
 * dtypes as they were). Lossless for a model already passed through `roundWeightsToFloat16`.
 */
export function toFloat16Files(files: LayersModelFiles): LayersModelFiles {
  const modelJson = JSON.parse(new TextDecoder().decode(files.modelJson)) as { weightsManifest: WeightGroup[] };
  const source = files.weights;
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const group of modelJson.weightsManifest) {
    for (const spec of group.weights) {
      if (spec.quantization !== undefined) throw new Error(`weight ${spec.name} is already quantized`);
      const bytesPerElement = BYTES_PER_ELEMENT[spec.dtype];
      if (bytesPerElement === undefined) throw new Error(`weight ${spec.name} has dtype ${spec.dtype}, which cannot be re-encoded`);
      const size = spec.shape.reduce((a, b) => a * b, 1) * bytesPerElement;
      if (offset + size > source.byteLength)
        throw new Error(`weights file has ${source.byteLength} bytes, the manifest describes more (${spec.name} ends at ${offset + size})`);
      const bytes = source.slice(offset, offset + size);
      offset += size;
      if (spec.dtype === 'float32') {
        const half = Float16Array.from(new Float32Array(bytes.buffer));
        chunks.push(new Uint8Array(half.buffer));
        spec.quantization = { dtype: 'float16' };
      } else {
        chunks.push(bytes);
      }
    }
  }
  if (offset !== source.byteLength) throw new Error(`weights file has ${source.byteLength} bytes, the manifest describes ${offset}`);
  const weights = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0));
  let at = 0;
  for (const chunk of chunks) {
    weights.set(chunk, at);
    at += chunk.byteLength;
  }
  return { modelJson: new TextEncoder().encode(JSON.stringify(modelJson)), weights };
}
