import { createHash } from 'node:crypto';
import type { LabeledImages } from './dataset.js';

/** Bytes of SHA-256 kept per image: 64 bits make a collision among FER2013's ~36k faces vanishingly unlikely. */
export const PIXEL_HASH_BYTES = 8;

/**
 * A key for each image made from its pixels alone, so the same face gets the same key whichever form of
 * FER2013 it was loaded from (folder of JPEGs or CSV), and pixel-identical faces across splits share it.
 */
export function pixelHashes(images: LabeledImages): string[] {
  const area = images.size * images.size;
  return Array.from({ length: images.count }, (_, i) =>
    createHash('sha256')
      .update(images.pixels.subarray(i * area, (i + 1) * area))
      .digest('hex')
      .slice(0, 2 * PIXEL_HASH_BYTES),
  );
}
