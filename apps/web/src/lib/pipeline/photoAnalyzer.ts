import { EXPRESSIONS, type ExpressionPrediction } from '@fer/core';
import type { PhotoResult } from '../analysis/protocol';
import { cropPixels, NO_SALIENCY_WORKER, type SaliencyClient } from '../analysis/saliencyClient';
import { addMissedFaces, PHOTO_TILES, smallestReliableFace } from '../detection/smallFaces';
import { mergeDetections, TiledDetector } from '../detection/tiledDetection';
import type { Runtime } from '../runtime/runtime';
import { cropFromCanvas, readableContext, type Saliency } from './analyze';

/**
 * The still-photo pipeline (photo mode, in the analysis worker), beside the live one
 * (liveAnalyzer.ts): detect, crop, classify, saliency (from the saliency worker), once. No tracking,
 * smoothing or saliency budget. `bitmap` is the photo as the page decoded and scaled it (see
 * decodePhoto.ts); it is closed.
 */
export async function analyzePhoto(runtime: Runtime, saliency: SaliencyClient | undefined, bitmap: ImageBitmap): Promise<PhotoResult> {
  const photo = new OffscreenCanvas(bitmap.width, bitmap.height);
  readableContext(photo).drawImage(bitmap, 0, 0);
  bitmap.close();

  const { detector, classifier } = runtime;
  let start = performance.now();
  // The whole photo, then overlapping tiles of it for the faces too small for one pass (group photos).
  const whole = detector.detect(photo);
  const tiled = mergeDetections(new TiledDetector(detector, PHOTO_TILES).facesOnTiles(photo, performance.now()));
  const boxes = addMissedFaces(whole, tiled).map((face) => face.box);
  const ms = { detect: performance.now() - start, classify: 0, saliency: 0 };
  const smallestFace = smallestReliableFace(photo.width, photo.height);
  if (boxes.length === 0) return { faces: [], ms, saliencyProblem: undefined, smallestFace };

  const crops = cropFromCanvas(classifier, photo, boxes);
  try {
    start = performance.now();
    const predictions = await classifier.classify(crops);
    ms.classify = performance.now() - start;
    start = performance.now();
    let maps: Saliency[] = [];
    let saliencyProblem: string | undefined;
    try {
      if (saliency === undefined) throw new Error(NO_SALIENCY_WORKER);
      maps = await saliency.maps(
        await cropPixels(crops),
        predictions.map((p) => EXPRESSIONS.indexOf(p.expression)),
      );
      ms.saliency = performance.now() - start;
    } catch (error) {
      // A gradient kernel the backend lacks must not hide the labels.
      saliencyProblem = error instanceof Error ? error.message : String(error);
    }
    const faces = boxes.map((box, i) => ({ box, prediction: predictions[i] as ExpressionPrediction, saliency: maps[i] }));
    return { faces, ms, saliencyProblem, smallestFace };
  } finally {
    crops.dispose();
  }
}
