/**
 * Face detection on the device with MediaPipe tasks-vision's FaceDetector (BlazeFace short range,
 * CPU delegate), behind a small typed API in tasks-vision's own style.
 *
 * Everything is loaded from the app's origin: the model (static/detector/, built by
 * scripts/build-detector-model.ts) and the wasm runtime (served at /mediapipe/wasm/ from
 * node_modules by tools/staticMounts.ts). tasks-vision itself would also post usage telemetry to a
 * Google host; {@link createFaceDetector} switches that off (see {@link disableUsageLogging}).
 */
import { FaceDetector, FilesetResolver, type Detection } from '@mediapipe/tasks-vision';
import type { FaceBox, PixelRect } from '@fer/core';

/** The detector's input side, in pixels (BlazeFace short range sees every image scaled to 128x128). */
export const DETECTOR_INPUT_PX = 128;

export interface FaceDetectorOptions {
  /** URL of the short-range model with metadata, e.g. '/detector/face_detection_short_range.tflite'. */
  modelUrl: string;
  /** URL of the folder holding tasks-vision's vision_wasm_*.{js,wasm}, e.g. '/mediapipe/wasm'. */
  wasmBaseUrl: string;
  /** Minimum face score, 0..1 (tasks-vision's default 0.5). */
  minConfidence?: number;
  /**
   * Load tasks-vision's ES-module build of its wasm loader (vision_wasm_module_internal.js): a
   * module worker has no importScripts, so tasks-vision falls back to import(), which only the
   * module build answers. The classic build (default) is for pages.
   */
  moduleWorker?: boolean;
}

export interface DetectedFace {
  /** In pixels of the frame that was passed in. */
  box: FaceBox;
  /** Face score, 0..1. */
  score: number;
  /** In pixels; BlazeFace gives 6: right eye, left eye, nose tip, mouth, right ear, left ear. */
  keypoints: { x: number; y: number }[];
}

export type VideoFrameSource = HTMLVideoElement | HTMLCanvasElement | OffscreenCanvas | ImageBitmap | VideoFrame;
export type StillImageSource = HTMLImageElement | HTMLCanvasElement | OffscreenCanvas | ImageBitmap;

export interface FaceDetectorHandle {
  /**
   * Detects faces in a video frame, or in `region` of it (default: all of it), in frame pixels.
   * A `timestampMs` not above the previous call's is moved just past it.
   */
  detectForVideo(frame: VideoFrameSource, timestampMs: number, region?: PixelRect): DetectedFace[];
  /** Detects faces in a still image, or in `region` of it; may be mixed freely with detectForVideo. */
  detect(image: StillImageSource, region?: PixelRect): DetectedFace[];
  /** Frees the wasm graph; the handle is unusable afterwards. */
  close(): void;
}

/**
 * Creates a detector in VIDEO mode. Still images go through the same graph with a synthetic
 * timestamp instead of a runningMode switch: tasks-vision's setOptions is asynchronous (so it
 * cannot back a synchronous `detect`) and rebuilds the whole graph on every switch, while the
 * face-detection graph keeps no state between frames, so VIDEO and IMAGE mode give the same boxes.
 */
export async function createFaceDetector(options: FaceDetectorOptions): Promise<FaceDetectorHandle> {
  const fileset = await FilesetResolver.forVisionTasks(options.wasmBaseUrl.replace(/\/$/, ''), options.moduleWorker === true);
  const detector = await FaceDetector.createFromOptions(fileset, {
    baseOptions: { modelAssetPath: options.modelUrl, delegate: 'CPU' },
    runningMode: 'VIDEO',
    minDetectionConfidence: options.minConfidence ?? 0.5,
  });
  disableUsageLogging(detector);

  const picture = new ModelPicture();
  // MediaPipe rejects a timestamp that does not increase, and aborts on a non-finite one, so
  // start at 0: detect() before any video frame then sends 1.
  let lastTimestamp = 0;
  let closed = false;
  const run = (frame: VideoFrameSource | StillImageSource, timestampMs: number, region?: PixelRect): DetectedFace[] => {
    if (closed) throw new Error('face detector is closed');
    lastTimestamp = Math.max(timestampMs, lastTimestamp + 1);
    const [width, height] = frameSize(frame);
    const shown = region ?? { x: 0, y: 0, width, height };
    if (shown.width <= 0 || shown.height <= 0) return [];
    const canvas = picture.draw(frame, shown);
    return detector.detectForVideo(canvas, lastTimestamp).detections.map((d) => toFace(d, canvas, shown));
  };
  return {
    detectForVideo: run,
    detect: (image, region) => run(image, lastTimestamp + 1, region),
    close() {
      if (closed) return;
      closed = true;
      detector.close();
    },
  };
}

/** Width and height in pixels of a frame or image as the detector sees it. */
export function frameSize(frame: VideoFrameSource | StillImageSource): [number, number] {
  if (typeof HTMLVideoElement !== 'undefined' && frame instanceof HTMLVideoElement) {
    return [frame.videoWidth, frame.videoHeight];
  }
  if (typeof HTMLImageElement !== 'undefined' && frame instanceof HTMLImageElement) {
    return [frame.naturalWidth, frame.naturalHeight];
  }
  if ('displayWidth' in frame) return [frame.displayWidth, frame.displayHeight]; // a VideoFrame
  return [frame.width, frame.height];
}

/**
 * A region of a frame drawn at the detector's input size (the longer side DETECTOR_INPUT_PX), the
 * size it would shrink it to anyway. Handed a whole 720p frame or tile, tasks-vision converts and
 * resizes every pixel itself; drawn small first, detection took less time (docs/experiments.md).
 * Boxes then come back in whole pixels of this small picture, a few frame pixels apart: less than
 * the shifts the expression model is trained to take.
 */
class ModelPicture {
  private readonly canvas = new OffscreenCanvas(1, 1);
  private readonly context: OffscreenCanvasRenderingContext2D;

  constructor() {
    const context = this.canvas.getContext('2d', { willReadFrequently: true });
    if (context === null) throw new Error('this browser gives no 2D canvas context');
    this.context = context;
  }

  draw(frame: VideoFrameSource | StillImageSource, region: PixelRect): OffscreenCanvas {
    const scale = Math.min(1, DETECTOR_INPUT_PX / Math.max(region.width, region.height));
    const width = Math.max(1, Math.round(region.width * scale));
    const height = Math.max(1, Math.round(region.height * scale));
    if (this.canvas.width !== width || this.canvas.height !== height) {
      this.canvas.width = width;
      this.canvas.height = height;
    }
    // The default 'low' quality reads a few source pixels per target pixel: aliasing at 4-10x.
    this.context.imageSmoothingQuality = 'high';
    this.context.drawImage(frame, region.x, region.y, region.width, region.height, 0, 0, width, height);
    return this.canvas;
  }
}

/** A detection on `picture` (which shows `region` of the frame) in frame pixels. */
function toFace(d: Detection, picture: OffscreenCanvas, region: PixelRect): DetectedFace {
  const b = d.boundingBox;
  const sx = region.width / picture.width;
  const sy = region.height / picture.height;
  return {
    // tasks-vision gives the box in pixels of the picture, the keypoints normalized.
    box: { x: region.x + (b?.originX ?? 0) * sx, y: region.y + (b?.originY ?? 0) * sy, width: (b?.width ?? 0) * sx, height: (b?.height ?? 0) * sy },
    score: d.categories[0]?.score ?? 0,
    keypoints: d.keypoints.map((k) => ({ x: region.x + k.x * region.width, y: region.y + k.y * region.height })),
  };
}

/**
 * tasks-vision 1.1.0 gives every task a usage logger that POSTs to odml.pa.googleapis.com every
 * 60 s and on close(), with no public switch. Its minified field names change between builds, so
 * it is found by shape: an own property with close() whose own property has flush() (the sender).
 * Marking the sender failed makes flush a no-op; removing the logger stops the bookkeeping (every
 * use in the bundle is guarded by `logger?.`). Not found means tasks-vision changed: refuse to run
 * rather than leak (not even close(), which would flush; the app's CSP connect-src 'self' is the
 * second line of defence).
 */
export function disableUsageLogging(task: object): void {
  const record = task as Record<string, unknown>;
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
  let found = false;
  for (const key of Object.keys(record)) {
    const logger = record[key];
    if (!isObject(logger) || typeof logger.close !== 'function') continue;
    const sender = Object.values(logger).find((v) => isObject(v) && typeof v.flush === 'function');
    if (!isObject(sender)) continue;
    sender.error = new Error('usage logging disabled by the app');
    record[key] = undefined;
    found = true;
  }
  if (!found) {
    throw new Error('tasks-vision usage logger not found: refusing to run a detector that may phone home');
  }
}
