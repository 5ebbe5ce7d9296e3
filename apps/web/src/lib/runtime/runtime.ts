import { ArtifactError, ExpressionClassifier, fetchReader } from '@fer/core';
import { createFaceDetector, type FaceDetectorHandle } from '$lib/detection/faceDetector';
import { wasmThreads, type BackendReport, type BackendRequest, type TfWorker } from './backendChoice';
import { RuntimeLoadError } from './loadError';
import { startBackend, type StartedBackend } from './tfBackend';

/** URLs of everything the runtime loads, all on this origin. */
export interface RuntimeUrls {
  /** Folder of the classifier artifacts (manifest.json, cnn/, svm.bin), ending in '/'. */
  models: string;
  /** tfjs-backend-wasm binaries, ending in '/'. */
  tfjsWasm: string;
  /** MediaPipe tasks-vision wasm, ending in '/'. */
  mediapipeWasm: string;
  /** Face detector model (.tflite). */
  detectorModel: string;
}

/** URLs under the app's base path, from the origin's root (so the worker resolves them as the page does; error messages name them so). */
export function runtimeUrls(base: string): RuntimeUrls {
  return {
    models: `${base}/models/`,
    tfjsWasm: `${base}/tfjs-wasm/`,
    mediapipeWasm: `${base}/mediapipe/wasm/`,
    detectorModel: `${base}/detector/face_detection_short_range.tflite`,
  };
}

/** Everything a frame needs: the tfjs backend in use, the classifier and the face detector. Lives in the analysis worker. */
export interface Runtime {
  backend: BackendReport;
  classifier: ExpressionClassifier;
  detector: FaceDetectorHandle;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Starts the tfjs backend (see startBackend: forced, remembered or measured) and loads the
 * classifier on it, verified against its manifest, with the WebAssembly threads `wasmThreads` gives
 * `worker` (beside a saliency worker or not).
 */
export function loadClassifier(
  urls: RuntimeUrls,
  request: BackendRequest,
  worker: TfWorker,
  besideSaliencyWorker: boolean,
): Promise<StartedBackend<ExpressionClassifier>> {
  return startBackend(
    urls.tfjsWasm,
    request,
    {
      load: () =>
        ExpressionClassifier.create(fetchReader(new URL(urls.models, location.href))).catch((error: unknown) => {
          const file = error instanceof ArtifactError ? urls.models + error.file : undefined;
          throw new RuntimeLoadError('classifier', file, messageOf(error), { cause: error });
        }),
      classify: (classifier, faces) => classifier.classify(faces),
      dispose: (classifier) => classifier.dispose(),
      inputSize: (classifier) => [classifier.manifest.input.height, classifier.manifest.input.width],
    },
    (cores) => wasmThreads(cores, worker, besideSaliencyWorker),
  ).catch((error: unknown) => {
    throw error instanceof RuntimeLoadError ? error : new RuntimeLoadError('backend', undefined, messageOf(error), { cause: error });
  });
}

/** Loads the classifier (see `loadClassifier`) and the face detector, in the analysis worker. */
export async function loadRuntime(urls: RuntimeUrls, request: BackendRequest, besideSaliencyWorker: boolean): Promise<Runtime> {
  const detectorPromise = createFaceDetector({ modelUrl: urls.detectorModel, wasmBaseUrl: urls.mediapipeWasm, moduleWorker: true }).catch(
    (error: unknown) => {
      throw new RuntimeLoadError('detector', urls.detectorModel, messageOf(error), { cause: error });
    },
  );
  // Both load at once; when one fails, the other is released rather than leaked.
  const [classifier, detector] = await Promise.allSettled([loadClassifier(urls, request, 'analysis', besideSaliencyWorker), detectorPromise]);
  if (classifier.status === 'rejected') {
    if (detector.status === 'fulfilled') detector.value.close();
    throw classifier.reason;
  }
  if (detector.status === 'rejected') {
    classifier.value.model.dispose();
    throw detector.reason;
  }
  const { report } = classifier.value;
  const saliencyThreads = !besideSaliencyWorker ? 0 : report.name === 'wasm' ? wasmThreads(report.device.cores, 'saliency') : 1;
  return { backend: { ...report, saliencyThreads }, classifier: classifier.value.model, detector: detector.value };
}
