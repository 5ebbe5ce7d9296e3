import type { LabeledImages } from '../data/dataset.js';

/** Why a training image counts as noise. */
export type NoiseReason = 'blank' | 'conflicting-duplicate';

export interface NoisyImage {
  index: number;
  reason: NoiseReason;
}

/** Pixel standard deviation (grey levels) below which an image is blank: FER2013 has a few all-one-colour frames. */
export const BLANK_STD = 2;

/**
 * Training images that teach nothing or the wrong thing: blank (near-constant) frames, and
 * pixel-identical copies of one face filed under different expressions (all copies go: the
 * data cannot say which label is right). Identical copies with the same label are kept.
 * Non-faces that still have texture (drawings, text) are not found: that needs a face detector.
 */
export function findNoisyImages(images: LabeledImages): NoisyImage[] {
  const area = images.size * images.size;
  const noisy: NoisyImage[] = [];
  const copies = new Map<string, number[]>();
  for (let i = 0; i < images.count; i++) {
    const pixels = images.pixels.subarray(i * area, (i + 1) * area);
    let sum = 0;
    let squares = 0;
    for (const v of pixels) {
      sum += v;
      squares += v * v;
    }
    const mean = sum / area;
    if (Math.sqrt(Math.max(0, squares / area - mean * mean)) < BLANK_STD) {
      noisy.push({ index: i, reason: 'blank' });
      continue;
    }
    const key = Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength).toString('base64');
    copies.set(key, [...(copies.get(key) ?? []), i]);
  }
  for (const group of copies.values()) {
    if (new Set(group.map((i) => images.labels[i])).size > 1) {
      for (const index of group) noisy.push({ index, reason: 'conflicting-duplicate' });
    }
  }
  return noisy.sort((a, b) => a.index - b.index);
}
