import { createHash } from 'node:crypto';
import { NUM_EXPRESSIONS } from '@fer/core';
import type { LabeledImages } from './dataset.js';
import { pixelHashes } from './pixelHash.js';
import { selectImages } from './subsample.js';

/** How the validation split is carved from Training; recorded in the manifest. */
export interface ValidationSplitSpec {
  /** Share of each class's eligible Training images held out (default 0.1). */
  fraction: number;
  /** Seeds which images are held out. */
  seed: number;
}

export const DEFAULT_VALIDATION_SPLIT: ValidationSplitSpec = { fraction: 0.1, seed: 42 };

/** Training cut in two: what the network and SVM are fitted on, and what every choice is made on. */
export interface CarvedSplits {
  fit: LabeledImages;
  validation: LabeledImages;
}

/**
 * Holds out a stratified, seeded share of Training for model selection. Only faces that appear once in
 * Training and in none of `otherSplits` are eligible (FER2013 repeats some faces, sometimes with other
 * labels), so no validation face is pixel-identical to a face the model trains or is tested on.
 * Which faces are held out depends on their pixels and the seed alone, not on load order, so both forms of
 * FER2013 give the same split.
 */
export function carveValidation(
  train: LabeledImages,
  otherSplits: readonly LabeledImages[],
  spec: ValidationSplitSpec = DEFAULT_VALIDATION_SPLIT,
): CarvedSplits {
  if (!(spec.fraction > 0 && spec.fraction < 1)) throw new Error(`validation fraction must be in (0, 1), got ${spec.fraction}`);
  const hashes = pixelHashes(train);
  const seen = new Map<string, number>();
  for (const hash of [...hashes, ...otherSplits.flatMap(pixelHashes)]) seen.set(hash, (seen.get(hash) ?? 0) + 1);

  // Per class, eligible faces ordered by a seeded hash of their pixels: a shuffle that ignores load order.
  const byClass = Array.from({ length: NUM_EXPRESSIONS }, () => [] as { index: number; key: string }[]);
  hashes.forEach((hash, index) => {
    if (seen.get(hash) !== 1) return;
    const key = createHash('sha256').update(`${spec.seed}:${hash}`).digest('hex');
    byClass[train.labels[index] as number]?.push({ index, key });
  });
  const held = new Set<number>();
  byClass.forEach((eligible, label) => {
    const total = train.labels.reduce((n, l) => n + (l === label ? 1 : 0), 0);
    eligible.sort((a, b) => (a.key < b.key ? -1 : 1));
    for (const { index } of eligible.slice(0, Math.round(spec.fraction * total))) held.add(index);
  });
  const fitIndices: number[] = [];
  const validationIndices: number[] = [];
  for (let i = 0; i < train.count; i++) (held.has(i) ? validationIndices : fitIndices).push(i);
  return { fit: selectImages(train, fitIndices), validation: selectImages(train, validationIndices) };
}

/** Indices of `images` whose pixels are identical to a face in `reference`: FER2013's cross-split repeats. */
export function repeatsOf(images: LabeledImages, reference: LabeledImages): Set<number> {
  const known = new Set(pixelHashes(reference));
  const repeats = new Set<number>();
  pixelHashes(images).forEach((hash, i) => {
    if (known.has(hash)) repeats.add(i);
  });
  return repeats;
}
