import { z } from 'zod';
import { EXPRESSIONS } from './labels.js';

/** File name of the manifest at the root of an artifact folder. */
export const MANIFEST_FILE = 'manifest.json';

/** Bumped whenever a change to the artifact layout would make an older loader misread it. */
export const MANIFEST_VERSION = 1;

const finite = z.number().finite();
const probability = finite.min(0).max(1);

/**
 * Context a face crop adds around the detector's box, as a fraction of the box's side on every side
 * (see `cropRegion`): FER2013's crops show forehead and chin, face detectors box tighter.
 */
export const DEFAULT_CROP_MARGIN = 0.15;

/** How a face becomes a network input: its crop, and raw 0..255 grey levels as (pixel / 255 - mean) / std. */
export const InputSpecSchema = z.object({
  height: z.number().int().positive(),
  width: z.number().int().positive(),
  channels: z.literal(1),
  mean: finite,
  std: finite.positive(),
  /** See DEFAULT_CROP_MARGIN; manifests written before it was recorded used that value. */
  cropMargin: finite.nonnegative().default(DEFAULT_CROP_MARGIN),
});
export type InputSpec = z.infer<typeof InputSpecSchema>;

export const PerClassMetricsSchema = z.object({
  label: z.string(),
  precision: probability,
  recall: probability,
  f1: probability,
  support: z.number().int().nonnegative(),
});
export type PerClassMetrics = z.infer<typeof PerClassMetricsSchema>;

/** Scores of one classifier on one labeled split. */
export const EvaluationSchema = z.object({
  split: z.string(),
  count: z.number().int().positive(),
  accuracy: probability,
  macroF1: probability,
  perClass: z.array(PerClassMetricsSchema),
  /** confusion[true][predicted] counts. */
  confusion: z.array(z.array(z.number().int().nonnegative())),
});
export type Evaluation = z.infer<typeof EvaluationSchema>;

const jsonValue: z.ZodType<unknown> = z.lazy(() =>
  z.union([z.string(), finite, z.boolean(), z.null(), z.array(jsonValue), z.record(z.string(), jsonValue)]),
);

/** A transformed copy of the face crop that the classifier also scores (test-time augmentation). */
export const TestTimeViewSchema = z.object({
  /** Shift in pixels; positive values show content from the right of / below the centre. */
  dx: finite,
  dy: finite,
  /** Rotation about the centre. */
  degrees: finite,
  /** Relative zoom about the centre: above 1 zooms in. */
  zoom: finite.positive(),
});
export type TestTimeView = z.infer<typeof TestTimeViewSchema>;

const FileEntrySchema = z.object({
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  bytes: z.number().int().nonnegative(),
});

export const ManifestSchema = z.object({
  version: z.literal(MANIFEST_VERSION),
  createdAt: z.string(),
  labels: z.array(z.string()).length(EXPRESSIONS.length),
  input: InputSpecSchema,
  cnn: z.object({
    /** tfjs LayersModel topology, relative to the manifest. */
    modelPath: z.string(),
    /** Layer whose flattened output feeds the SVM. */
    featureLayer: z.string(),
    featureDims: z.number().int().positive(),
    parameters: z.number().int().positive(),
    /**
     * Features (and the CNN's probabilities) are the mean over the face and its left-right mirror
     * image: expressions are symmetric, and averaging the two views removes some of the noise of
     * one crop. Absent in older manifests: no mirroring.
     */
    mirrorAverage: z.boolean().optional(),
    /**
     * Transformed copies of the face scored besides it (each with its mirror image under
     * `mirrorAverage`); the features, and so the SVM scores and the CNN's probabilities, are the mean
     * over all of them. Training fits the SVM on features averaged the same way. Absent in older manifests: none.
     */
    testTimeViews: z.array(TestTimeViewSchema).optional(),
    /** How the weights file stores them (tfjs decodes float16 itself). Absent in older manifests: float32. */
    weightPrecision: z.enum(['float32', 'float16']).optional(),
  }),
  svm: z.object({
    path: z.string(),
    /** The only encoding: little-endian float32 values laid out as svmFormat.ts describes. */
    encoding: z.literal('float32-le'),
    C: finite.positive(),
    loss: z.enum(['hinge', 'squared-hinge']),
  }),
  /** Probabilities are softmax(svmScores / temperature), temperature fitted on validation. */
  calibration: z.object({
    method: z.literal('temperature'),
    temperature: finite.positive(),
    fittedOn: z.string(),
  }),
  /** Named evaluations, e.g. { cnnSvm, cnnSoftmax, pixelSvm }. */
  metrics: z.record(z.string(), EvaluationSchema),
  training: z.record(z.string(), jsonValue),
  data: z.object({
    source: z.string(),
    fingerprint: z.string(),
    counts: z.record(z.string(), z.number().int().nonnegative()),
  }),
  /** Content hash of every other file in the artifact folder, keyed by relative path. */
  files: z.record(z.string(), FileEntrySchema),
});
export type Manifest = z.infer<typeof ManifestSchema>;

/** The SVM head: one-vs-rest linear SVM on standardized CNN features (stored as svm.bin, see svmFormat.ts). */
export interface SvmParams {
  featureMean: number[];
  featureStd: number[];
  /** weights[class][feature], for standardized features. */
  weights: number[][];
  bias: number[];
}

