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

/** Where a distilled model's soft targets came from (`pnpm teacher`); the soft-target files carry the same record. */
export const TeacherProvenanceSchema = z.object({
  /** How the members were chosen, stated before any was scored. */
  rule: z.string(),
  members: z
    .array(
      z.object({
        /** Checkpoint folder the CNN came from, relative to the repository at `commit`. */
        path: z.string(),
        epoch: z.number().int(),
        /** SHA-256 of its weights.bin, so the member can be recognised even after the folder moves. */
        weightsSha256: z.string(),
      }),
    )
    .min(1),
  /** What each member looks at per face (e.g. "face + mirror, zoom-turn views"); probabilities are averaged over views, then members. */
  views: z.string(),
  passesPerFace: z.number().int().positive(),
  command: z.string(),
  commit: z.string(),
  createdAt: z.string(),
  backend: z.string(),
  /** Fingerprint of the Training split the targets were computed on (pixels and labels). */
  trainingFingerprint: z.string(),
});
export type TeacherProvenance = z.infer<typeof TeacherProvenanceSchema>;

/**
 * How the model was made, in brief: what `pnpm study`, the report and a reader need. The full record
 * (per-epoch history, C searches, configuration) is report.json's, beside the manifest: the app
 * never needs it, and the manifest is downloaded by every browser.
 */
export const TrainingSummarySchema = z.object({
  /** The command line that exported the model. */
  command: z.string(),
  preset: z.string(),
  /** The tfjs backend it trained on, in words. */
  backend: z.string(),
  /** Epochs trained, and the one with the best validation accuracy. */
  epochs: z.number().int().nonnegative(),
  bestEpoch: z.number().int().nonnegative(),
  /** Epochs whose CNNs the SVM reads (one: a single network). */
  fusedEpochs: z.array(z.number().int().nonnegative()).min(1),
  /** Layers whose flattened outputs, side by side, feed the SVM. */
  featureLayers: z.array(z.string()).min(1),
  /** Multiply-accumulates of one CNN pass, and passes per face (mirror image, test-time views). */
  macs: z.number().int().positive(),
  cnnPassesPerFace: z.number().int().positive(),
  parameters: z.number().int().positive(),
  /** Bytes of the CNN's weights (at their export precision) and the SVM's. */
  weightBytes: z.number().int().positive(),
  /** Median milliseconds of one CNN pass on one face, on the training machine. */
  cnnMsPerFace: finite.positive(),
  /** Wall and CPU seconds of CNN training, summed over resumed sessions. */
  cnnTrainSeconds: finite.nonnegative(),
  cnnCpuSeconds: finite.nonnegative(),
  /** The soft targets the CNN was distilled from; absent when it learnt from the labels alone. */
  teacher: TeacherProvenanceSchema.nullable().optional(),
});
export type TrainingSummary = z.infer<typeof TrainingSummarySchema>;

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
  training: TrainingSummarySchema,
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
