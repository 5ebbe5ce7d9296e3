import { EXPRESSIONS, type ExpressionPrediction, type FaceBox } from '@fer/core';
import type { Stage } from '../perf/perfStats';
import { addMissedFaces, PHOTO_TILES, smallestReliableFace } from '../detection/smallFaces';
import { TiledDetector } from '../detection/tiledDetection';
import { fitScale } from '../render/geometry';
import type { Runtime } from '../runtime/runtime';
import { cropFromCanvas, saliencyOf, type Saliency } from './analyze';

/** One face found in a photo. */
export interface PhotoFace {
  box: FaceBox;
  prediction: ExpressionPrediction;
  /** Undefined when saliency failed (see `saliencyProblem`). */
  saliency: Saliency | undefined;
}

/** A photo analysed: the (scaled) photo itself, its faces and what each stage took. */
export interface PhotoAnalysis {
  readable: true;
  /** The photo scaled to at most `maxSide`, without overlays: the pixels the boxes refer to. */
  photo: HTMLCanvasElement;
  /** In the detector's order. */
  faces: PhotoFace[];
  ms: Record<Stage, number>;
  /** Why saliency maps are missing although classification worked (a backend without gradient kernels). */
  saliencyProblem: string | undefined;
  /** Faces shorter than this (in `photo`'s pixels) may have been missed (see detection/smallFaces.ts). */
  smallestFace: number;
}

export interface PhotoAnalyzerOptions {
  /** Longer photo sides are scaled down to this first: the detector and 48x48 crops gain nothing from more pixels. Default 1280. */
  maxSide?: number;
}

/**
 * The still-photo pipeline (photo mode), beside the live one (liveAnalyzer.ts): decode, scale,
 * detect, crop, classify, saliency. A photo is analysed once, so there is no tracking, smoothing
 * or saliency budget.
 */
export class PhotoAnalyzer {
  private constructor(
    private readonly runtime: Runtime,
    private readonly maxSide: number,
  ) {}

  static create(runtime: Runtime, options: PhotoAnalyzerOptions = {}): PhotoAnalyzer {
    return new PhotoAnalyzer(runtime, options.maxSide ?? 1280);
  }

  /** Analyses an image file; `{ readable: false }` when the browser cannot decode it. Other failures reject. */
  async analyze(file: Blob): Promise<PhotoAnalysis | { readable: false }> {
    let bitmap: ImageBitmap;
    try {
      bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
    } catch {
      return { readable: false };
    }
    const photo = document.createElement('canvas');
    const scale = fitScale(bitmap.width, bitmap.height, this.maxSide);
    photo.width = Math.round(bitmap.width * scale);
    photo.height = Math.round(bitmap.height * scale);
    photo.getContext('2d')?.drawImage(bitmap, 0, 0, photo.width, photo.height);
    bitmap.close();

    const { detector, classifier } = this.runtime;
    let start = performance.now();
    // The whole photo, then overlapping tiles of it for the faces too small for one pass (group photos).
    const whole = detector.detect(photo);
    const tiled = new TiledDetector(detector, PHOTO_TILES).detect(photo, performance.now());
    const boxes = addMissedFaces(whole, tiled).map((face) => face.box);
    const ms = { detect: performance.now() - start, classify: 0, saliency: 0 };
    const smallestFace = smallestReliableFace(photo.width, photo.height);
    if (boxes.length === 0) return { readable: true, photo, faces: [], ms, saliencyProblem: undefined, smallestFace };

    const crops = cropFromCanvas(classifier, photo, boxes);
    try {
      start = performance.now();
      const predictions = await classifier.classify(crops);
      ms.classify = performance.now() - start;
      start = performance.now();
      let maps: Saliency[] = [];
      let saliencyProblem: string | undefined;
      try {
        maps = await saliencyOf(
          classifier,
          crops,
          predictions.map((p) => EXPRESSIONS.indexOf(p.expression)),
        );
        ms.saliency = performance.now() - start;
      } catch (error) {
        // A gradient kernel the backend lacks must not hide the labels.
        saliencyProblem = error instanceof Error ? error.message : String(error);
      }
      const faces = boxes.map((box, i) => ({ box, prediction: predictions[i] as ExpressionPrediction, saliency: maps[i] }));
      return { readable: true, photo, faces, ms, saliencyProblem, smallestFace };
    } finally {
      crops.dispose();
    }
  }
}
