import { DEFAULT_CROP_MARGIN, type InputSpec } from '@fer/core';
import type { LabeledImages } from './dataset.js';

/**
 * Mean and std of a split's pixels (0..1), so inputs are centred the same in training, the teacher and the app.
 * FER2013's images are crops already; the crop margin recorded is the one that frames a detected face like them.
 */
export function inputSpecFor(images: LabeledImages): InputSpec {
  let sum = 0;
  let squares = 0;
  for (const v of images.pixels) {
    sum += v;
    squares += v * v;
  }
  const mean = sum / images.pixels.length / 255;
  const variance = squares / images.pixels.length / (255 * 255) - mean * mean;
  return { height: images.size, width: images.size, channels: 1, mean, std: Math.sqrt(Math.max(variance, 1e-12)), cropMargin: DEFAULT_CROP_MARGIN };
}
