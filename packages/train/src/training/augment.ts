import { transformImage } from '@fer/core';

/** Random geometric changes applied to each training image (never to evaluation images). */
export interface AugmentConfig {
  /** Probability of a horizontal flip: expressions are left-right symmetric. */
  flip: number;
  /** Largest shift in pixels along each axis; edges are repeated. */
  maxShift: number;
  /** Largest rotation in degrees, either way (faces in the wild are rarely level); 0 = none. */
  maxRotation?: number;
  /** Largest relative zoom in or out (0.1 = 90%..110%), as face detectors crop loosely or tightly; 0 = none. */
  maxScale?: number;
}

/**
 * Copies `indices`' images from `source` (side x side grey, back to back) into `target`, each
 * randomly flipped, shifted, rotated and zoomed about its centre. Plain loops: cheaper than tensor
 * ops for 48x48 images and exactly reproducible from `random`, which is only drawn from for the
 * changes that are enabled.
 */
export function augmentBatch(
  source: Uint8Array,
  indices: ArrayLike<number>,
  side: number,
  config: AugmentConfig,
  random: () => number,
  target: Float32Array,
): void {
  const area = side * side;
  const maxRotation = ((config.maxRotation ?? 0) * Math.PI) / 180;
  const maxScale = config.maxScale ?? 0;
  for (let i = 0; i < indices.length; i++) {
    const flip = random() < config.flip;
    const dx = Math.round((random() * 2 - 1) * config.maxShift);
    const dy = Math.round((random() * 2 - 1) * config.maxShift);
    const angle = maxRotation > 0 ? (random() * 2 - 1) * maxRotation : 0;
    const zoom = maxScale > 0 ? 1 + (random() * 2 - 1) * maxScale : 1;
    transformImage(source, (indices[i] as number) * area, side, { flip, dx, dy, angle, zoom }, target, i * area);
  }
}
