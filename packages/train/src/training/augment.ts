/** Random geometric changes applied to each training image (never to evaluation images). */
export interface AugmentConfig {
  /** Probability of a horizontal flip: expressions are left-right symmetric. */
  flip: number;
  /** Largest shift in pixels along each axis; edges are repeated. */
  maxShift: number;
}

/**
 * Copies `indices`' images from `source` (48x48 grey, back to back) into `target`,
 * each randomly flipped and shifted. Plain loops on bytes: cheaper than tensor ops for
 * 48x48 images and exactly reproducible from `random`.
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
  for (let i = 0; i < indices.length; i++) {
    const from = (indices[i] as number) * area;
    const to = i * area;
    const flip = random() < config.flip;
    const dx = Math.round((random() * 2 - 1) * config.maxShift);
    const dy = Math.round((random() * 2 - 1) * config.maxShift);
    for (let y = 0; y < side; y++) {
      const sy = Math.min(side - 1, Math.max(0, y + dy));
      for (let x = 0; x < side; x++) {
        const shifted = Math.min(side - 1, Math.max(0, x + dx));
        const sx = flip ? side - 1 - shifted : shifted;
        target[to + y * side + x] = source[from + sy * side + sx] as number;
      }
    }
  }
}
