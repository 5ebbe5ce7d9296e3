import { ArtifactError, ExpressionClassifier, fetchReader } from '@fer/core';
import { createFaceDetector, type FaceDetectorHandle } from '$lib/detection/faceDetector';
import { RuntimeLoadError } from './loadError';
import { initBackend, type BackendName } from './tfBackend';

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

/** URLs under the app's base path. */
export function runtimeUrls(base: string): RuntimeUrls {
  return {
    models: `${base}/models/`,
    tfjsWasm: `${base}/tfjs-wasm/`,
    mediapipeWasm: `${base}/mediapipe/wasm/`,
    detectorModel: `${base}/detector/face_detection_short_range.tflite`,
  };
}

/** Everything a frame needs: the tfjs backend in use, the classifier and the face detector. */
export interface Runtime {
  backend: BackendName;
  classifier: ExpressionClassifier;
  detector: FaceDetectorHandle;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Loads the tfjs backend (`backend` forces one, else WebGL with a wasm fallback), the classifier
 * (verified against its manifest) and the face detector.
 */
export async function loadRuntime(urls: RuntimeUrls, backendChoice?: BackendName): Promise<Runtime> {
  let backend: BackendName;
  try {
    backend = await initBackend(urls.tfjsWasm, backendChoice);
  } catch (error) {
    throw new RuntimeLoadError('backend', undefined, messageOf(error), { cause: error });
  }
  const classifierPromise = ExpressionClassifier.create(fetchReader(new URL(urls.models, location.href))).catch((error: unknown) => {
    const file = error instanceof ArtifactError ? urls.models + error.file : undefined;
    throw new RuntimeLoadError('classifier', file, messageOf(error), { cause: error });
  });
  const detectorPromise = createFaceDetector({ modelUrl: urls.detectorModel, wasmBaseUrl: urls.mediapipeWasm }).catch((error: unknown) => {
    throw new RuntimeLoadError('detector', urls.detectorModel, messageOf(error), { cause: error });
  });
  // Both load at once; when one fails, the other is released rather than leaked.
  const [classifier, detector] = await Promise.allSettled([classifierPromise, detectorPromise]);
  if (classifier.status === 'rejected') {
    if (detector.status === 'fulfilled') detector.value.close();
    throw classifier.reason;
  }
  if (detector.status === 'rejected') {
    classifier.value.dispose();
    throw detector.reason;
  }
  return { backend, classifier: classifier.value, detector: detector.value };
}
