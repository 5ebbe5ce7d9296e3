/**
 * What the page and the analysis worker (analysis.worker.ts) say to each other: plain data only.
 * Frames go in as transferred VideoFrames or ImageBitmaps; results come back as numbers and typed arrays.
 */
import type { ExpressionPrediction, FaceBox, Manifest } from '@fer/core';
import type { Stage } from '../perf/perfStats';
import type { LiveFrame } from '../pipeline/liveAnalyzer';
import type { Saliency } from '../pipeline/analyze';
import type { BackendName, BackendReport, BackendRequest } from '../runtime/backendChoice';
import type { RuntimeUrls } from '../runtime/runtime';
import type { FaceTrackerOptions } from '../tracking/faceTracker';

export interface InitRequest {
  urls: RuntimeUrls;
  backend: BackendRequest;
  /** Transferred: the channel to the saliency worker (saliency.worker.ts), whose maps the frames show; none on pages without maps. */
  saliencyPort: MessagePort | undefined;
}

export interface InitResult {
  manifest: Manifest;
  backend: BackendReport;
}

/** A stream of video frames analysed with tracking (live mode, an audience session). */
export interface StreamOptions {
  /** Unique per stream on this worker. */
  stream: string;
  /** Also detect on overlapping tiles (audience mode: small faces). */
  tiled: boolean;
  tracking?: FaceTrackerOptions;
}

/** A video frame handed to the worker: a VideoFrame (no copy on the page) where the browser has them. */
export type TransferableFrame = VideoFrame | ImageBitmap;

export interface FrameRequest {
  stream: string;
  /** Transferred: the worker closes it. */
  frame: TransferableFrame;
  /** Capture time; must increase within a stream (tracking and smoothing run on it). */
  nowMs: number;
  saliency: boolean;
}

/** One face found in a photo. */
export interface PhotoFace {
  box: FaceBox;
  prediction: ExpressionPrediction;
  /** Undefined when saliency failed (see `saliencyProblem`). */
  saliency: Saliency | undefined;
}

export interface PhotoResult {
  /** In the detector's order, in the bitmap's pixels. */
  faces: PhotoFace[];
  ms: Record<Stage, number>;
  /** Why saliency maps are missing although classification worked (a backend without gradient kernels). */
  saliencyProblem: string | undefined;
  /** Faces shorter than this (in the bitmap's pixels) may have been missed (see detection/smallFaces.ts). */
  smallestFace: number;
}

/** The worker's methods (see rpc.ts). */
export interface AnalysisApi {
  [method: string]: (arg: never) => Promise<unknown>;
  init(request: InitRequest): Promise<InitResult>;
  openStream(options: StreamOptions): Promise<void>;
  frame(request: FrameRequest): Promise<LiveFrame>;
  /** Forgets a stream's faces and timings (camera switched or resumed). */
  resetStream(request: { stream: string }): Promise<void>;
  closeStream(request: { stream: string }): Promise<void>;
  photo(request: { bitmap: ImageBitmap }): Promise<PhotoResult>;
  /** The page saw the saliency worker fail (its script did not load, or it threw): maps asked for and to come fail with `message`. */
  saliencyFailed(request: { message: string }): Promise<void>;
}

/** Grey face crops as plain data: `count` crops of height x width levels 0..255, row-major, one after the other. */
export interface CropPixels {
  pixels: Float32Array;
  count: number;
  height: number;
  width: number;
}

/** What the analysis worker asks the saliency worker for (see saliency.worker.ts). */
export interface SaliencyApi {
  [method: string]: (arg: never) => Promise<unknown>;
  /** Loads the classifier on the backend the analysis worker chose. */
  init(request: { urls: RuntimeUrls; backend: BackendName }): Promise<void>;
  /** One map per crop, explaining the class given for it. */
  maps(request: { crops: CropPixels; classIndices: number[] }): Promise<Saliency[]>;
}
