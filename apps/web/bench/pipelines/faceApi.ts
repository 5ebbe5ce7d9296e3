import * as faceapi from '@vladmandic/face-api';
import { useWasmBackend } from './wasmBackend';
import { BENCH_URLS, type AwaitedAdapter } from './adapter';

/** The library's defaults (what its README's examples use). */
const INPUT_SIZE = 416;
const SCORE_THRESHOLD = 0.5;

/**
 * @vladmandic/face-api: TinyFaceDetector, then FaceExpressionNet on each detected face, the work
 * `detectAllFaces(video, tinyOptions).withFaceExpressions()` does, split in two to time each stage.
 */
export async function createFaceApiPipeline(): Promise<AwaitedAdapter> {
  const backend = await useWasmBackend();
  await faceapi.nets.tinyFaceDetector.loadFromUri(BENCH_URLS.faceApiModels);
  await faceapi.nets.faceExpressionNet.loadFromUri(BENCH_URLS.faceApiModels);
  const options = new faceapi.TinyFaceDetectorOptions({ inputSize: INPUT_SIZE, scoreThreshold: SCORE_THRESHOLD });
  return {
    library: `@vladmandic/face-api ${faceapi.version} (TinyFaceDetector + FaceExpressionNet)`,
    backend: `tfjs ${backend}`,
    options: { inputSize: INPUT_SIZE, scoreThreshold: SCORE_THRESHOLD, landmarks: false },
    stageSource: 'timed around each call (detectAllFaces; extractFaces + predictExpressions)',
    async frame(video) {
      let start = performance.now();
      const detections = await faceapi.detectAllFaces(video, options);
      const detect = performance.now() - start;
      if (detections.length === 0) return { faces: 0, stageMs: { detect } };
      start = performance.now();
      const faces = await faceapi.extractFaces(video, detections);
      await faceapi.nets.faceExpressionNet.predictExpressions(faces);
      return { faces: detections.length, stageMs: { detect, classify: performance.now() - start } };
    },
    dispose() {
      faceapi.nets.tinyFaceDetector.dispose();
      faceapi.nets.faceExpressionNet.dispose();
    },
  };
}
