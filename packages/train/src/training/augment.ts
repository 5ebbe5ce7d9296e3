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

/** Grey value at a real-valued position, bilinear, with edges repeated beyond the image. */
function sample(source: Uint8Array, from: number, side: number, x: number, y: number): number {
  const cx = Math.min(side - 1, Math.max(0, x));
  const cy = Math.min(side - 1, Math.max(0, y));
  const x0 = Math.floor(cx);
  const y0 = Math.floor(cy);
  const x1 = Math.min(side - 1, x0 + 1);
  const y1 = Math.min(side - 1, y0 + 1);
  const fx = cx - x0;
  const fy = cy - y0;
  const row0 = from + y0 * side;
  const row1 = from + y1 * side;
  const top = (source[row0 + x0] as number) * (1 - fx) + (source[row0 + x1] as number) * fx;
  const bottom = (source[row1 + x0] as number) * (1 - fx) + (source[row1 + x1] as number) * fx;
  return top * (1 - fy) + bottom * fy;
}

/** One geometric change of an image: mirror, then shift, rotate and zoom about its centre. */
export interface ImageTransform {
  flip: boolean;
  /** Shift in pixels; positive values show content from the right of / below the centre. */
  dx: number;
  dy: number;
  /** Rotation in radians. */
  angle: number;
  /** Relative zoom: above 1 zooms in. */
  zoom: number;
}

export const IDENTITY_TRANSFORM: ImageTransform = { flip: false, dx: 0, dy: 0, angle: 0, zoom: 1 };

/**
 * Writes image `from` of `source` (side x side grey, back to back), transformed, into `target`
 * at offset `to`: one affine map, sampled bilinearly with edges repeated.
 */
export function transformImage(source: Uint8Array, from: number, side: number, transform: ImageTransform, target: Float32Array, to: number): void {
  const { flip, dx, dy, angle, zoom } = transform;
  const centre = (side - 1) / 2;
  // Inverse map: output pixel -> source position (rotate back, unzoom, shift, mirror).
  const cos = Math.cos(angle) / zoom;
  const sin = Math.sin(angle) / zoom;
  for (let y = 0; y < side; y++) {
    const v = y - centre;
    for (let x = 0; x < side; x++) {
      const u = x - centre;
      const sx = cos * u + sin * v + centre + dx;
      const sy = -sin * u + cos * v + centre + dy;
      target[to + y * side + x] = sample(source, from, side, flip ? side - 1 - sx : sx, sy);
    }
  }
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
