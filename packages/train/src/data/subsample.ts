import type { LabeledImages } from './dataset.js';

/** The images at `keep` indices, in that order. */
export function selectImages(images: LabeledImages, keep: readonly number[]): LabeledImages {
  const area = images.size * images.size;
  const pixels = new Uint8Array(keep.length * area);
  keep.forEach((from, to) => pixels.set(images.pixels.subarray(from * area, (from + 1) * area), to * area));
  return {
    ...images,
    count: keep.length,
    pixels,
    labels: Uint8Array.from(keep, (i) => images.labels[i] as number),
    sources: keep.map((i) => images.sources[i] as string),
  };
}

/**
 * At most `limit` images, evenly spaced through the split. Splits are sorted by label, so
 * this keeps every class's share: a stratified sample with no randomness, for smoke runs.
 */
export function subsample(images: LabeledImages, limit: number): LabeledImages {
  if (limit >= images.count) return images;
  return selectImages(images, evenlySpaced(images.count, limit));
}

/** At most `limit` indices of 0..count-1, evenly spaced (see `subsample`). */
export function evenlySpaced(count: number, limit: number): number[] {
  const n = Math.min(count, limit);
  return Array.from({ length: n }, (_, i) => Math.floor((i * count) / n));
}
