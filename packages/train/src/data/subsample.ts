import type { LabeledImages } from './dataset.js';

/**
 * At most `limit` images, evenly spaced through the split. Splits are sorted by label, so
 * this keeps every class's share: a stratified sample with no randomness, for smoke runs.
 */
export function subsample(images: LabeledImages, limit: number): LabeledImages {
  if (limit >= images.count) return images;
  const area = images.size * images.size;
  const picks = Array.from({ length: limit }, (_, i) => Math.floor((i * images.count) / limit));
  const pixels = new Uint8Array(limit * area);
  picks.forEach((from, i) => pixels.set(images.pixels.subarray(from * area, (from + 1) * area), i * area));
  return {
    ...images,
    count: limit,
    pixels,
    labels: Uint8Array.from(picks, (i) => images.labels[i] as number),
    sources: picks.map((i) => images.sources[i] as string),
  };
}
