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
  /**
   * Probability of random erasing (Zhong et al., 2017): a rectangle of 2-25% of the image, aspect 0.3-3.3,
   * replaced by noise, so the network cannot lean on any single region (a hand over the mouth); 0 = none.
   */
  erase?: number;
}

const ERASE_AREA = [0.02, 0.25] as const;
const ERASE_ASPECT = [0.3, 3.3] as const;

/** Overwrites a random rectangle of the side x side image at `offset` with uniform noise (0-255). */
function eraseRectangle(target: Float32Array, offset: number, side: number, random: () => number): void {
  const area = side * side * (ERASE_AREA[0] + random() * (ERASE_AREA[1] - ERASE_AREA[0]));
  const aspect = Math.exp(Math.log(ERASE_ASPECT[0]) + random() * Math.log(ERASE_ASPECT[1] / ERASE_ASPECT[0]));
  const h = Math.min(side, Math.max(1, Math.round(Math.sqrt(area * aspect))));
  const w = Math.min(side, Math.max(1, Math.round(Math.sqrt(area / aspect))));
  const top = Math.floor(random() * (side - h + 1));
  const left = Math.floor(random() * (side - w + 1));
  for (let y = top; y < top + h; y++) {
    for (let x = left; x < left + w; x++) target[offset + y * side + x] = random() * 255;
  }
}

/**
 * Copies `indices`' images from `source` (side x side grey, back to back) into `target`, each
 * randomly flipped, shifted, rotated and zoomed about its centre, and partly erased when asked. Plain loops: cheaper than tensor
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
  const erase = config.erase ?? 0;
  for (let i = 0; i < indices.length; i++) {
    const flip = random() < config.flip;
    const dx = Math.round((random() * 2 - 1) * config.maxShift);
    const dy = Math.round((random() * 2 - 1) * config.maxShift);
    const angle = maxRotation > 0 ? (random() * 2 - 1) * maxRotation : 0;
    const zoom = maxScale > 0 ? 1 + (random() * 2 - 1) * maxScale : 1;
    transformImage(source, (indices[i] as number) * area, side, { flip, dx, dy, angle, zoom }, target, i * area);
    if (erase > 0 && random() < erase) eraseRectangle(target, i * area, side, random);
  }
}
