import type { FaceBox } from '@fer/core';

/**
 * The frame region `cropFaces` reads for a box: a square around the box's centre, grown by
 * `margin` on every side. The saliency map's pixels correspond to this region, so the
 * heat map is drawn over it.
 */
export function cropRegion(box: FaceBox, margin: number): FaceBox {
  const side = Math.max(box.width, box.height) * (1 + 2 * margin);
  return { x: box.x + box.width / 2 - side / 2, y: box.y + box.height / 2 - side / 2, width: side, height: side };
}

/** The box as it appears in a horizontally mirrored view of a frame `frameWidth` wide. */
export function mirrorBox(box: FaceBox, frameWidth: number): FaceBox {
  return { ...box, x: frameWidth - box.x - box.width };
}

/** Scale that fits a `width` x `height` image inside `maxSide` (never enlarges). */
export function fitScale(width: number, height: number, maxSide: number): number {
  return Math.min(1, maxSide / Math.max(width, height));
}
