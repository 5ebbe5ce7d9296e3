import type * as tf from '@tensorflow/tfjs';
import {
  ExpressionClassifier,
  EXPRESSIONS,
  MANIFEST_FILE,
  MANIFEST_VERSION,
  ManifestSchema,
  encodeLayersModel,
  encodeSvm,
  sha256Hex,
  type Manifest,
  type SvmParams,
  type TestTimeView,
} from '@fer/core';
import type { LabeledImages } from '../data/dataset.js';
import { writeFolderAtomically } from '../system/fsAtomic.js';
import { copyRows, facesPerBatch, forEachBatch } from '../training/batches.js';
import { toFloat16Files } from './float16.js';
import { folderReader } from './nodeReader.js';
import { foreignContent, foreignContentError } from './outFolder.js';
import { acquireLock } from '../system/runLock.js';

const CNN_MODEL = 'cnn/model.json';
const CNN_WEIGHTS = 'weights.bin';
const SVM = 'svm.bin';

/** How the CNN's weights are stored; see float16.ts. */
export type WeightPrecision = NonNullable<Manifest['cnn']['weightPrecision']>;

/** What gets exported, except what export derives itself (file hashes, sizes, date). */
export type ExportContent = Omit<Manifest, 'version' | 'createdAt' | 'labels' | 'files' | 'cnn' | 'svm'> & {
  cnn: tf.LayersModel;
  featureLayer: string;
  featureDims: number;
  /** Features averaged over each face and its mirror image (manifest `cnn.mirrorAverage`). */
  mirrorAverage: boolean;
  /** Transformed copies of each face the classifier also scores (manifest `cnn.testTimeViews`). */
  testTimeViews: TestTimeView[];
  /** float16: round `cnn`'s weights first (`roundWeightsToFloat16`), so the exported network is the one the SVM was fitted on. */
  weightPrecision: WeightPrecision;
  svm: SvmParams;
  svmOptions: Omit<Manifest['svm'], 'path' | 'encoding'>;
};

/** A reference the export must reproduce through core's loader, or it is not published. */
export interface ExportCheck {
  images: LabeledImages;
  /** SVM decision values [count, 7] computed by the training code for `images`. */
  svmScores: Float32Array;
}

/** Extra documents written beside the artifacts (REPORT.md, figures), keyed by file name. */
export type ExportDocuments = ReadonlyMap<string, string>;

/** How an export may treat its target folder. */
export interface ExportOptions {
  /** Replace `target` even when it holds more than a previous export (`--force`). */
  force?: boolean;
}

/**
 * Writes models/ atomically: builds every file in a temp folder, reloads it through
 * @fer/core exactly as the web app and `pnpm eval` will, checks that it reproduces the
 * training code's SVM scores, and only then swaps it in. On any failure the previous
 * models/ stays as it was. The target is locked meanwhile (runLock.ts), and it must hold
 * nothing but a previous export unless `options.force` (outFolder.ts).
 */
export async function exportModels(
  target: string,
  content: ExportContent,
  check: ExportCheck,
  documents: ExportDocuments,
  options: ExportOptions = {},
): Promise<Manifest> {
  const { cnn, featureLayer, featureDims, mirrorAverage, testTimeViews, weightPrecision, svm, svmOptions, ...recorded } = content;
  const encoded = await encodeLayersModel(cnn, CNN_WEIGHTS);
  const { modelJson, weights } = weightPrecision === 'float16' ? toFloat16Files(encoded) : encoded;
  const artifacts = new Map<string, Uint8Array>([
    [CNN_MODEL, modelJson],
    [`cnn/${CNN_WEIGHTS}`, weights],
    [SVM, encodeSvm(svm)],
  ]);
  const files: Manifest['files'] = {};
  for (const [path, bytes] of artifacts) files[path] = { sha256: await sha256Hex(bytes), bytes: bytes.byteLength };

  const manifest = ManifestSchema.parse({
    version: MANIFEST_VERSION,
    createdAt: new Date().toISOString(),
    labels: [...EXPRESSIONS],
    cnn: { modelPath: CNN_MODEL, featureLayer, featureDims, parameters: cnn.countParams(), mirrorAverage, testTimeViews, weightPrecision },
    svm: { path: SVM, encoding: 'float32-le', ...svmOptions },
    ...recorded,
    files,
  } satisfies Manifest);

  const everything = new Map<string, Uint8Array | string>([...artifacts, ...documents]);
  everything.set(MANIFEST_FILE, `${JSON.stringify(manifest, null, 2)}\n`);
  const lock = await acquireLock(target);
  try {
    // Checked again: the folder may have changed during the hours of training since the CLI first looked.
    const why = await foreignContent(target, everything.keys());
    if (why !== undefined && options.force !== true) throw foreignContentError(target, why);
    await writeFolderAtomically(target, everything, (temp) => verifyExport(temp, check));
  } finally {
    lock.release();
  }
  return manifest;
}

/** Largest |difference| tolerated between training-side and reloaded SVM scores (float32 round-off). */
const SCORE_TOLERANCE = 1e-3;

async function verifyExport(folder: string, check: ExportCheck): Promise<void> {
  const classifier = await ExpressionClassifier.create(folderReader(folder));
  try {
    const k = EXPRESSIONS.length;
    const reloaded = new Float32Array(check.images.count * k);
    await forEachBatch(check.images, classifier.manifest.input, facesPerBatch(classifier.views), async (batch, start) => {
      const scores = classifier.svmScores(batch);
      await copyRows(scores, reloaded, start);
      scores.dispose();
    });
    let worst = 0;
    reloaded.forEach((value, i) => {
      worst = Math.max(worst, Math.abs(value - (check.svmScores[i] as number)));
    });
    if (!(worst <= SCORE_TOLERANCE)) {
      throw new Error(
        `export verification failed: reloaded model's SVM scores differ from training's by up to ${worst} (tolerance ${SCORE_TOLERANCE}); models/ left unchanged`,
      );
    }
  } finally {
    classifier.dispose();
  }
}
