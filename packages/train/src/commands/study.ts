import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadArtifacts, manifestViews, MANIFEST_FILE, ManifestSchema, type FaceViews, type LoadedArtifacts, type Manifest } from '@fer/core';
import { selectTrainingBackend, type BackendPreference } from '../backend/selectBackend.js';
import type { LabeledImages } from '../data/dataset.js';
import { evenlySpaced, selectImages } from '../data/subsample.js';
import { argmaxRows, evaluatePredictions } from '../evaluation/metrics.js';
import { markdownTable } from '../evaluation/report.js';
import { folderReader } from '../export/nodeReader.js';
import { FEATURE_LAYERS, blockPoolLayer } from '../model/cnn.js';
import { VIEW_SETS, type ViewSetName } from '../model/viewSets.js';
import { compareFeatureLayers } from '../studies/featureLayers.js';
import { compareKernels, compareLinearWithRandomFeatures, type KernelResult } from '../studies/kernels.js';
import { findNoisyImages, type NoiseReason } from '../studies/noisyImages.js';
import { STUDIES_FOLDER, updateReportSection } from '../studies/reportSection.js';
import { compareViewSets } from '../studies/testTimeViews.js';
import { extractFeatures } from '../training/features.js';
import { describeFeatureLayers } from '../training/shippedCnn.js';
import { fitSvmHead } from '../training/svmHead.js';
import { loadCarvedData } from './loadData.js';
import { acquireLock } from '../system/runLock.js';
import { makeDirectory } from '../system/fsAtomic.js';

export const STUDIES = {
  layers: 'which CNN layer feeds the SVM best (>= 3 layers, C chosen per layer on the validation split)',
  noise: 'removing noisy training images (blank frames, duplicates with conflicting labels) before fitting the SVM',
  kernel: 'linear against RBF kernel SVMs: exact on a training sample, approximated by random Fourier features on all of Training',
  views: 'test-time augmentation: averaging the shipped classifier over shifted, zoomed and turned copies of each face',
} as const;

export type StudyName = keyof typeof STUDIES;

export interface StudyCommandOptions {
  study: StudyName;
  data: string;
  models: string;
  /** Training images for the kernel study (ml-svm holds an n x n kernel matrix). */
  sample: number;
  backend: BackendPreference;
  strict: boolean;
}

const percent = (x: number): string => `${(100 * x).toFixed(2)}%`;
const seconds = (s: number): string => `${s.toFixed(1)} s`;
// Wider than the preset's C grid: the layers differ in width by 32x (256 to 8,320 features), and a wider layer wants a
// smaller C; a large C is also the slowest fit on wide features.
const SVM = { loss: 'squared-hinge', seed: 42, classWeight: 'none', candidates: [0.00003, 0.0001, 0.0003, 0.001, 0.003] } as const;
/** Random Fourier features for the full-scale RBF: 8x the embedding's 256 dims, as many as the raw-pixel baseline's fit handles in minutes. */
const RANDOM_FEATURES = 2048;

/** What the shipped SVM reads, e.g. "'block_last_pool' + 'embedding' features" (a fused readout names its layers in the training record). */
function shippedFeatures(manifest: Manifest): string {
  return describeFeatureLayers(manifest.training.featureLayers);
}

/**
 * The layers, noise and kernel studies look at each face and its mirror image, without the shipped
 * model's test-time warps: those would multiply every pass over Training (5x for zoom-turn) and put
 * each study past an hour. The views study measures what the warps add.
 */
function studyViews(manifest: Manifest): FaceViews {
  return { ...manifestViews(manifest), warps: [] };
}

interface StudyOutcome {
  markdown: string;
  results: unknown;
}

async function layersStudy(
  manifest: Manifest,
  cnn: Parameters<typeof compareFeatureLayers>[0],
  train: LabeledImages,
  validation: LabeledImages,
): Promise<StudyOutcome> {
  // The dense embedding, the last conv block's pooled maps, the two blocks before it (more spatial detail)
  // where the CNN has them, and the shipped readout when it is not one of them (several layers side by side).
  const candidates = [FEATURE_LAYERS.embedding, FEATURE_LAYERS.lastBlock, blockPoolLayer(3), blockPoolLayer(2)].filter((name) =>
    cnn.layers.some((layer) => layer.name === name),
  );
  const layers = candidates.includes(manifest.cnn.featureLayer) ? candidates : [...candidates, manifest.cnn.featureLayer];
  const results = await compareFeatureLayers(cnn, layers, train, validation, manifest.input, SVM, studyViews(manifest), (layer, dims) =>
    console.error(`layer ${layer}: fitting the SVM on ${train.count} x ${dims} features...`),
  );
  const markdown = [
    `Linear SVM on each layer's flattened activations of the shipped CNN; C from {${SVM.candidates.join(', ')}} chosen per layer on the validation split (carved from Training; the SVMs are fitted on the rest).`,
    '',
    markdownTable(
      ['layer', 'features', 'C', 'validation accuracy', 'macro-F1', 'SVM fit'],
      results.map((r) => [
        r.layer === manifest.cnn.featureLayer ? `${r.layer} (shipped)` : r.layer,
        r.dims,
        r.C,
        percent(r.evaluation.accuracy),
        percent(r.evaluation.macroF1),
        seconds(r.svmSeconds),
      ]),
    ),
  ].join('\n');
  return { markdown, results: results.map(({ evaluation, ...rest }) => ({ ...rest, accuracy: evaluation.accuracy, macroF1: evaluation.macroF1 })) };
}

async function noiseStudy(
  manifest: Manifest,
  cnn: Parameters<typeof extractFeatures>[0],
  train: LabeledImages,
  validation: LabeledImages,
): Promise<StudyOutcome> {
  const noisy = findNoisyImages(train);
  const counts: Record<NoiseReason, number> = { blank: 0, 'conflicting-duplicate': 0 };
  for (const image of noisy) counts[image.reason]++;
  const drop = new Set(noisy.map((n) => n.index));
  const clean = selectImages(
    train,
    Array.from({ length: train.count }, (_, i) => i).filter((i) => !drop.has(i)),
  );
  const layer = manifest.cnn.featureLayer;
  const views = studyViews(manifest);
  const validationFeatures = await extractFeatures(cnn, layer, validation, manifest.input, views);
  const rows = [];
  for (const [name, images] of [
    ['all Training images', train],
    ['noisy images removed', clean],
  ] as const) {
    console.error(`${name}: fitting the SVM on ${images.count} images...`);
    const features = await extractFeatures(cnn, layer, images, manifest.input, views);
    const head = await fitSvmHead(
      { features: features.features, labels: images.labels },
      { features: validationFeatures.features, labels: validation.labels },
      features.dims,
      SVM,
    );
    const evaluation = evaluatePredictions(argmaxRows(head.validationScores), validation.labels, 'validation');
    rows.push({ name, images: images.count, C: head.C, accuracy: evaluation.accuracy, macroF1: evaluation.macroF1 });
  }
  const markdown = [
    `Found ${noisy.length} noisy Training images: ${counts.blank} blank (pixel std < 2 grey levels) and ${counts['conflicting-duplicate']} ` +
      "pixel-identical copies of a face filed under different expressions. The SVM on the shipped CNN's " +
      `${shippedFeatures(manifest)} is refitted without them (the CNN itself is not retrained). Non-faces with texture are not detected.`,
    '',
    markdownTable(
      ['SVM training set', 'images', 'C', 'validation accuracy', 'macro-F1'],
      rows.map((r) => [r.name, r.images, r.C, percent(r.accuracy), percent(r.macroF1)]),
    ),
  ].join('\n');
  return { markdown, results: { counts, removed: noisy.map((n) => ({ source: train.sources[n.index], reason: n.reason })), rows } };
}

function kernelTable(results: readonly KernelResult[]): string {
  return markdownTable(
    ['kernel', 'parameters', 'validation accuracy', 'fit', 'scoring ms/image'],
    results.map((r) =>
      r.failure === undefined
        ? [r.kernel, r.params, percent(r.accuracy), seconds(r.fitSeconds), r.predictMsPerImage.toFixed(3)]
        : [r.kernel, r.params, `no result: ${r.failure}`, '-', '-'],
    ),
  );
}

async function kernelStudy(
  manifest: Manifest,
  cnn: Parameters<typeof extractFeatures>[0],
  train: LabeledImages,
  validation: LabeledImages,
  sample: number,
): Promise<StudyOutcome> {
  const layer = manifest.cnn.featureLayer;
  const views = studyViews(manifest);
  const trainFeatures = await extractFeatures(cnn, layer, train, manifest.input, views);
  const validationFeatures = await extractFeatures(cnn, layer, validation, manifest.input, views);
  const { dims } = trainFeatures;
  const validationSplit = { features: validationFeatures.features, labels: validation.labels };

  const picked = evenlySpaced(train.count, sample);
  const pickedFeatures = new Float32Array(picked.length * dims);
  picked.forEach((index, i) => pickedFeatures.set(trainFeatures.features.subarray(index * dims, (index + 1) * dims), i * dims));
  const pickedLabels = Uint8Array.from(picked, (index) => train.labels[index] as number);
  console.error(`exact kernels on a sample of ${picked.length} x ${dims} '${layer}' features...`);
  const exact = compareKernels({ features: pickedFeatures, labels: pickedLabels }, validationSplit, dims, { linearC: [0.01, 0.1], rbfC: [1, 10] });

  console.error(`linear against ${RANDOM_FEATURES} random Fourier features on all ${train.count} Training images...`);
  const full = compareLinearWithRandomFeatures({ features: trainFeatures.features, labels: train.labels }, validationSplit, dims, {
    linearC: [manifest.svm.C],
    rbfC: [1, 10],
    count: RANDOM_FEATURES,
    seed: 42,
  });
  const markdown = [
    `One-vs-rest SVMs on the shipped CNN's ${shippedFeatures(manifest)} (standardized), scored on the validation split carved from Training.`,
    '',
    `Exact kernels, fitted on a stratified sample of ${picked.length} Training images (ml-svm keeps the full kernel matrix, so RBF cannot take all ${train.count}):`,
    '',
    kernelTable(exact),
    '',
    `All ${train.count} Training images: the shipped linear SVM's C against an RBF kernel approximated by ${RANDOM_FEATURES} random Fourier features ` +
      '(Rahimi and Recht, 2007; the same linear solver on the mapped features; fit time includes the mapping):',
    '',
    kernelTable(full),
  ].join('\n');
  return { markdown, results: { sample: exact, full } };
}

async function viewsStudy(artifacts: LoadedArtifacts, validation: LabeledImages): Promise<StudyOutcome> {
  const { manifest } = artifacts;
  const shipped = JSON.stringify(manifest.cnn.testTimeViews ?? []);
  const results = await compareViewSets(artifacts, validation, VIEW_SETS, {
    splitTitle: 'validation',
    onView: (done, total) => console.error(`scored view ${done} of ${total}`),
  });
  const macs = manifest.training.macs;
  const markdown = [
    `The shipped CNN + SVM with its SVM scores (and, for comparison, its softmax outputs) averaged over the face and transformed copies of it` +
      `${manifest.cnn.mirrorAverage === true ? ', each with its mirror image' : ''}, for each validation face ` +
      `(\`pnpm train --test-time-views <set>\` ships a set). The SVM is the shipped one in every row, fitted on Training faces ` +
      `${shipped === '[]' ? 'seen as in the first row' : "averaged over the shipped set's views"}. The cost grows with the number of CNN passes per face.`,
    '',
    markdownTable(
      ['set', 'views', 'CNN passes per face', 'multiply-accumulates per face', 'CNN+SVM accuracy', 'CNN+SVM macro-F1', 'softmax accuracy'],
      results.map((r) => [
        JSON.stringify(VIEW_SETS[r.name as ViewSetName].views) === shipped ? `${r.name} (shipped)` : r.name,
        r.title,
        r.cnnPasses,
        `${((r.cnnPasses * macs) / 1e6).toFixed(1)}M`,
        percent(r.cnnSvm.accuracy),
        percent(r.cnnSvm.macroF1),
        percent(r.cnnSoftmax.accuracy),
      ]),
    ),
  ].join('\n');
  return {
    markdown,
    results: results.map((r) => ({
      name: r.name,
      cnnPasses: r.cnnPasses,
      cnnSvm: r.cnnSvm.accuracy,
      cnnSvmMacroF1: r.cnnSvm.macroF1,
      cnnSoftmax: r.cnnSoftmax.accuracy,
    })),
  };
}

/**
 * `fer study <name>`: reruns one of the method's studies on the shipped model and puts its
 * table into models/REPORT.md (its own section) and models/studies/<name>.json.
 */
export async function runStudy(options: StudyCommandOptions): Promise<number> {
  const backend = await selectTrainingBackend({ prefer: options.backend });
  console.error(`backend: ${backend.description}`);
  const artifacts = await loadArtifacts(folderReader(options.models));
  const { manifest, cnn } = artifacts;
  // Studies inform choices, so they score the validation split carved from Training, never PublicTest; the
  // views study needs no Training faces. (For a model trained on all of Training the validation faces were seen.)
  const carved = await loadCarvedData(options.data, { strict: options.strict });
  const train = options.study === 'views' ? undefined : carved.fit;
  const validation = carved.validation;
  const started = performance.now();
  const outcome =
    train === undefined
      ? await viewsStudy(artifacts, validation)
      : options.study === 'layers'
        ? await layersStudy(manifest, cnn, train, validation)
        : options.study === 'noise'
          ? await noiseStudy(manifest, cnn, train, validation)
          : await kernelStudy(manifest, cnn, train, validation, options.sample);
  // The views study took ownership of the CNN and disposed it.
  if (train !== undefined) cnn.dispose();
  const command = `pnpm study ${process.argv.slice(3).join(' ')}`.trim();
  const took = (performance.now() - started) / 1000;
  const warps = manifest.cnn.testTimeViews?.length ?? 0;
  const withoutWarps =
    train === undefined || warps === 0
      ? []
      : [
          `Each face is scored as it is${manifest.cnn.mirrorAverage === true ? ' and mirrored' : ''}, without the shipped model's ${warps} test-time views (they would make every pass over Training ${1 + warps} times longer; the views study measures them), so these figures sit below the shipped model's own.`,
          '',
        ];
  const markdown = [
    `## Study: ${STUDIES[options.study]}`,
    '',
    `\`${command}\` (${seconds(took)}, ${backend.name}):`,
    '',
    ...withoutWarps,
    outcome.markdown,
  ].join('\n');
  // A `pnpm train` export during a long study replaces the model: its report must not get this one's numbers.
  // The lock an export holds on the folder (runLock.ts) keeps one from starting between this check and the writes.
  const lock = await acquireLock(options.models);
  try {
    const now = ManifestSchema.parse(JSON.parse(await readFile(join(options.models, MANIFEST_FILE), 'utf8')));
    if (JSON.stringify(now.files) !== JSON.stringify(manifest.files)) {
      console.log(markdown);
      throw new Error(
        `${options.models} holds another model than the one studied (exported while the study ran); the table above was not written into it: rerun \`pnpm study ${options.study}\``,
      );
    }
    await makeDirectory(join(options.models, STUDIES_FOLDER));
    await writeFile(
      join(options.models, STUDIES_FOLDER, `${options.study}.json`),
      `${JSON.stringify({ study: options.study, command, seconds: took, model: manifest.files, results: outcome.results }, null, 2)}\n`,
    );
    await updateReportSection(join(options.models, 'REPORT.md'), options.study, markdown);
  } finally {
    lock.release();
  }
  console.log(markdown);
  return 0;
}
