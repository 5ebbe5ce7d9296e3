import { NUM_EXPRESSIONS, type Evaluation, type ExpressionClassifier } from '@fer/core';
import type { LabeledImages } from '../data/dataset.js';
import { argmaxRows, evaluatePredictions } from '../evaluation/metrics.js';
import { IDENTITY_TRANSFORM, transformImage, type ImageTransform } from '../training/augment.js';
import { copyRows, forEachBatch } from '../training/batches.js';

/** Transformed copies of each face whose SVM scores (and softmax outputs) are averaged. */
export interface ViewSet {
  name: string;
  transforms: readonly ImageTransform[];
}

export interface ViewSetResult {
  name: string;
  /** CNN passes per face: each transform, and its mirror image when the classifier mirror-averages. */
  cnnPasses: number;
  cnnSvm: Evaluation;
  cnnSoftmax: Evaluation;
}

const degrees = (d: number): number => (d * Math.PI) / 180;
const shift = (dx: number, dy: number): ImageTransform => ({ ...IDENTITY_TRANSFORM, dx, dy });
const SHIFTS_2PX = [shift(2, 0), shift(-2, 0), shift(0, 2), shift(0, -2)];
const DIAGONAL_SHIFTS_2PX = [shift(2, 2), shift(-2, -2), shift(2, -2), shift(-2, 2)];
const ZOOMS_AND_TURNS = [
  { ...IDENTITY_TRANSFORM, zoom: 0.92 },
  { ...IDENTITY_TRANSFORM, zoom: 1.08 },
  { ...IDENTITY_TRANSFORM, angle: degrees(-6) },
  { ...IDENTITY_TRANSFORM, angle: degrees(6) },
];

/** Small versions of the training augmentation (shifts up to 4 px, turns up to 10 degrees, zoom up to 10%). */
export const VIEW_SETS: readonly ViewSet[] = [
  { name: 'the face (shipped)', transforms: [IDENTITY_TRANSFORM] },
  { name: '+ 4 shifts of 2 px', transforms: [IDENTITY_TRANSFORM, ...SHIFTS_2PX] },
  { name: '+ zoom 92%/108%, turns of ±6°', transforms: [IDENTITY_TRANSFORM, ...ZOOMS_AND_TURNS] },
  { name: '+ 8 shifts of 2 px', transforms: [IDENTITY_TRANSFORM, ...SHIFTS_2PX, ...DIAGONAL_SHIFTS_2PX] },
  { name: 'all of the above', transforms: [IDENTITY_TRANSFORM, ...SHIFTS_2PX, ...DIAGONAL_SHIFTS_2PX, ...ZOOMS_AND_TURNS] },
];

/** The split's images, transformed, rounded to grey levels as a camera crop would be. */
function transformedPixels(images: LabeledImages, transform: ImageTransform): Uint8Array {
  const area = images.size * images.size;
  const floats = new Float32Array(images.count * area);
  for (let i = 0; i < images.count; i++) transformImage(images.pixels, i * area, images.size, transform, floats, i * area);
  return Uint8Array.from(floats, Math.round);
}

/**
 * Test-time augmentation: scores `images` through the shipped classifier once per distinct
 * transform, then evaluates each set's mean SVM scores and mean softmax outputs. The SVM is
 * linear, so averaging its scores equals fitting nothing new and averaging the features.
 */
export async function compareViewSets(
  classifier: ExpressionClassifier,
  images: LabeledImages,
  sets: readonly ViewSet[],
  options: { splitTitle: string; onView?: (done: number, total: number) => void },
): Promise<ViewSetResult[]> {
  const distinct = [...new Set(sets.flatMap((s) => s.transforms))];
  const scored = new Map<ImageTransform, { svmScores: Float32Array; cnnProbabilities: Float32Array }>();
  for (const transform of distinct) {
    const svmScores = new Float32Array(images.count * NUM_EXPRESSIONS);
    const cnnProbabilities = new Float32Array(images.count * NUM_EXPRESSIONS);
    await forEachBatch({ ...images, pixels: transformedPixels(images, transform) }, classifier.manifest.input, 256, async (batch, start) => {
      const pass = classifier.forward(batch);
      await copyRows(pass.svmScores, svmScores, start);
      await copyRows(pass.cnnProbabilities, cnnProbabilities, start);
      Object.values(pass).forEach((t) => t.dispose());
    });
    scored.set(transform, { svmScores, cnnProbabilities });
    options.onView?.(scored.size, distinct.length);
  }
  // Sums, not means: the argmax is the same.
  const summed = (set: ViewSet, key: 'svmScores' | 'cnnProbabilities'): Float32Array => {
    const sum = new Float32Array(images.count * NUM_EXPRESSIONS);
    for (const transform of set.transforms) {
      const values = scored.get(transform)?.[key] ?? [];
      for (let i = 0; i < sum.length; i++) sum[i] = (sum[i] as number) + (values[i] as number);
    }
    return sum;
  };
  const passesPerTransform = classifier.manifest.cnn.mirrorAverage === true ? 2 : 1;
  return sets.map((set) => ({
    name: set.name,
    cnnPasses: set.transforms.length * passesPerTransform,
    cnnSvm: evaluatePredictions(argmaxRows(summed(set, 'svmScores')), images.labels, options.splitTitle),
    cnnSoftmax: evaluatePredictions(argmaxRows(summed(set, 'cnnProbabilities')), images.labels, options.splitTitle),
  }));
}
