import * as tf from '@tensorflow/tfjs';
import type { InputSpec } from './manifest.js';

/** A face's bounding box in pixels of the frame it was found in. */
export interface FaceBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** ITU-R BT.601 luma weights: the grey conversion FER2013's own crops were made with. */
const LUMA = [0.299, 0.587, 0.114] as const;

/** Grey levels (0..255, any shape) to network inputs, as the manifest prescribes. */
export function normalizeGray(gray: tf.Tensor, input: InputSpec): tf.Tensor {
  return tf.tidy(() => gray.toFloat().div(255).sub(input.mean).div(input.std));
}

/** A batch of 48x48 grey images stored back to back (as the data loaders hold them) to network inputs [N,H,W,1]. */
export function pixelsToInput(pixels: Uint8Array, count: number, input: InputSpec): tf.Tensor4D {
  const expected = count * input.height * input.width;
  if (pixels.length !== expected) throw new Error(`expected ${expected} grey levels for ${count} images, got ${pixels.length}`);
  return tf.tidy(() => normalizeGray(tf.tensor4d(pixels, [count, input.height, input.width, 1], 'int32'), input) as tf.Tensor4D);
}

/**
 * Crops faces out of a frame into grey [N,H,W,1] images (0..255), ready for `normalizeGray`.
 * Each box is made square around its centre and grown by `margin` on every side, because
 * FER2013's crops include forehead and chin while face detectors box tighter; parts
 * outside the frame are black.
 */
export function cropFaces(frame: tf.Tensor3D, boxes: readonly FaceBox[], input: InputSpec, margin = 0.15): tf.Tensor4D {
  if (boxes.length === 0) throw new Error('cropFaces needs at least one box');
  const [frameHeight, frameWidth, channels] = frame.shape;
  if (channels !== 1 && channels !== 3 && channels !== 4) throw new Error(`frame must have 1, 3 or 4 channels, has ${channels}`);
  const normalizedBoxes = boxes.map((box) => {
    const side = Math.max(box.width, box.height) * (1 + 2 * margin);
    const cx = box.x + box.width / 2;
    const cy = box.y + box.height / 2;
    return [(cy - side / 2) / frameHeight, (cx - side / 2) / frameWidth, (cy + side / 2) / frameHeight, (cx + side / 2) / frameWidth];
  });
  return tf.tidy(() => {
    const image = frame.toFloat().expandDims(0) as tf.Tensor4D;
    const crops = tf.image.cropAndResize(image, normalizedBoxes, boxes.map(() => 0), [input.height, input.width]);
    if (channels === 1) return crops;
    const rgb = channels === 4 ? crops.slice([0, 0, 0, 0], [-1, -1, -1, 3]) : crops;
    return rgb.mul(tf.tensor1d([...LUMA])).sum(-1, true) as tf.Tensor4D;
  });
}
