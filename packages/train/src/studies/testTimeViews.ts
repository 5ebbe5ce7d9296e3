import {
  disposeForwardPass,
  ExpressionClassifier,
  NUM_EXPRESSIONS,
  passesPerFace,
  viewTransform,
  warpImages,
  warpTable,
  type Evaluation,
  type LoadedArtifacts,
  type TestTimeView,
} from '@fer/core';
import type { LabeledImages } from '../data/dataset.js';
import { argmaxRows, evaluatePredictions } from '../evaluation/metrics.js';
import type { ViewSet } from '../model/viewSets.js';
import { copyRows, forEachBatch } from '../training/batches.js';

export interface ViewSetResult {
  name: string;
  title: string;
  /** CNN passes per face: the face and each view, and each one's mirror image when the classifier mirror-averages. */
  cnnPasses: number;
  cnnSvm: Evaluation;
  cnnSoftmax: Evaluation;
}

/**
 * Test-time augmentation: scores `images` once per distinct view (the face itself, then each
 * set's warped copies) through the artifacts' classifier without its own views, then evaluates
 * each set's summed SVM scores and softmax outputs. That is what a classifier whose manifest
 * lists the set's views computes: the SVM is linear, so summing its scores ranks classes as
 * scoring the mean features does. Takes ownership of the artifacts' CNN.
 */
export async function compareViewSets(
  artifacts: LoadedArtifacts,
  images: LabeledImages,
  sets: Readonly<Record<string, ViewSet>>,
  options: { splitTitle: string; onView?: (done: number, total: number) => void },
): Promise<ViewSetResult[]> {
  const { manifest } = artifacts;
  const faceOnly = ExpressionClassifier.fromArtifacts({ ...artifacts, manifest: { ...manifest, cnn: { ...manifest.cnn, testTimeViews: [] } } });
  const key = (view: TestTimeView | undefined): string => JSON.stringify(view ?? 'face');
  const distinct = new Map<string, TestTimeView | undefined>([[key(undefined), undefined]]);
  for (const set of Object.values(sets)) for (const view of set.views) distinct.set(key(view), view);

  const scored = new Map<string, { svmScores: Float32Array; cnnProbabilities: Float32Array }>();
  for (const [name, view] of distinct) {
    const table = view === undefined ? undefined : warpTable(manifest.input.height, viewTransform(view));
    const svmScores = new Float32Array(images.count * NUM_EXPRESSIONS);
    const cnnProbabilities = new Float32Array(images.count * NUM_EXPRESSIONS);
    await forEachBatch(images, manifest.input, 256, async (batch, start) => {
      const view = table === undefined ? batch : warpImages(batch, table);
      const pass = faceOnly.forward(view);
      if (view !== batch) view.dispose();
      await copyRows(pass.svmScores, svmScores, start);
      await copyRows(pass.cnnProbabilities, cnnProbabilities, start);
      disposeForwardPass(pass);
    });
    scored.set(name, { svmScores, cnnProbabilities });
    options.onView?.(scored.size, distinct.size);
  }
  faceOnly.dispose();

  const summed = (set: ViewSet, output: 'svmScores' | 'cnnProbabilities'): Float32Array => {
    const sum = new Float32Array(images.count * NUM_EXPRESSIONS);
    for (const view of [undefined, ...set.views]) {
      const values = scored.get(key(view))?.[output] ?? [];
      for (let i = 0; i < sum.length; i++) sum[i] = (sum[i] as number) + (values[i] as number);
    }
    return sum;
  };
  const passesPerView = passesPerFace(faceOnly.views);
  return Object.entries(sets).map(([name, set]) => ({
    name,
    title: set.title,
    cnnPasses: (1 + set.views.length) * passesPerView,
    cnnSvm: evaluatePredictions(argmaxRows(summed(set, 'svmScores')), images.labels, options.splitTitle),
    cnnSoftmax: evaluatePredictions(argmaxRows(summed(set, 'cnnProbabilities')), images.labels, options.splitTitle),
  }));
}
