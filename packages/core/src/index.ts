/**
 * @fer/core: what training (packages/train) and the app (apps/web) must agree on, in one place:
 * the label order, how a face becomes a network input, the artifact manifest and its verified
 * loading, the CNN+SVM classifier and saliency. The wasm training kernels are a separate entry
 * point, `@fer/core/wasm-gradients`, since only training needs them.
 */

// The seven expressions, in the classifier's output order.
export { EXPRESSIONS, NUM_EXPRESSIONS, FER2013_CSV_CODES, expressionIndex, expressionIndexFromCsvCode, type Expression } from './labels.js';

// The artifact contract: the manifest, its files, and loading them with every hash checked.
export {
  DEFAULT_CROP_MARGIN,
  MANIFEST_FILE,
  MANIFEST_VERSION,
  ManifestSchema,
  TeacherProvenanceSchema,
  type Evaluation,
  type InputSpec,
  type Manifest,
  type PerClassMetrics,
  type SvmParams,
  type TeacherProvenance,
  type TestTimeView,
  type TrainingSummary,
} from './manifest.js';
export { fetchReader, loadArtifacts, loadManifest, type ArtifactReader, type LoadedArtifacts } from './artifacts.js';
export { ArtifactError, type ArtifactProblem } from './errors.js';
export { artifactPathProblem } from './artifactPath.js';
export { sha256Hex } from './hash.js';
export { decodeLayersModel, encodeLayersModel, type LayersModelFiles } from './layersFormat.js';
export { decodeSvm, encodeSvm } from './svmFormat.js';

// From a frame to network inputs.
export {
  cropFaces,
  cropRegion,
  cropWindow,
  grayFromRgba,
  normalizeGray,
  pixelsToInput,
  type FaceBox,
  type FramePixels,
  type PixelRect,
} from './preprocess.js';
export { transformImage, viewTransform, warpImages, warpTable, type ImageTransform, type WarpTable } from './views.js';

// The classifier and what it is built from.
export {
  ExpressionClassifier,
  applyFeatureNetwork,
  disposeForwardPass,
  faceViews,
  manifestViews,
  passesPerFace,
  type ExpressionPrediction,
  type FaceViews,
  type ForwardPass,
} from './classifier.js';
export { featureNetwork, type FeatureNetwork } from './featureNetwork.js';
export { argMax, argMaxRows } from './argMax.js';
export { saliencyMap, type SaliencyOptions } from './saliency.js';
