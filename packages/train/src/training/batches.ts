import type * as tf from '@tensorflow/tfjs';
import { passesPerFace, pixelsToInput, type FaceViews, type InputSpec } from '@fer/core';
import type { LabeledImages } from '../data/dataset.js';

/**
 * Runs `fn` on consecutive batches of normalized inputs [count,H,W,1], disposing each
 * batch after `fn` resolves, so a whole split never sits in memory as floats. `images` is a
 * split, or any faces given as grey 0-255 pixels back to back (a feature worker's share).
 */
export async function forEachBatch(
  images: Pick<LabeledImages, 'pixels' | 'count'>,
  input: InputSpec,
  batchSize: number,
  fn: (batch: tf.Tensor4D, start: number, count: number) => Promise<void>,
): Promise<void> {
  const area = input.height * input.width;
  for (let start = 0; start < images.count; start += batchSize) {
    const count = Math.min(batchSize, images.count - start);
    const batch = pixelsToInput(images.pixels.subarray(start * area, (start + count) * area), count, input);
    try {
      await fn(batch, start, count);
    } finally {
      batch.dispose();
    }
  }
}

/** Faces per batch when each costs `views`' CNN passes: 512 passes, as activation memory grows with passes, not faces. */
export function facesPerBatch(views: FaceViews): number {
  return Math.max(1, Math.floor(512 / passesPerFace(views)));
}

/** Reads a [count, k] tensor into rows `start..start+count` of a row-major output array. */
export async function copyRows(tensor: tf.Tensor, target: Float32Array, start: number): Promise<void> {
  const values = await tensor.data<'float32'>();
  target.set(values, start * (values.length / tensor.shape[0]));
}
