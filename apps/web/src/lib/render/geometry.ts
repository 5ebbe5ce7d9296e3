import type { FaceBox } from '@fer/core';

/** The box as it appears in a horizontally mirrored view of a frame `frameWidth` wide. */
export function mirrorBox(box: FaceBox, frameWidth: number): FaceBox {
  return { ...box, x: frameWidth - box.x - box.width };
}

/** Scale that fits a `width` x `height` image inside `maxSide` (never enlarges). */
export function fitScale(width: number, height: number, maxSide: number): number {
  return Math.min(1, maxSide / Math.max(width, height));
}
