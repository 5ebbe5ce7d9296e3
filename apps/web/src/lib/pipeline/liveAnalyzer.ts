import { EXPRESSIONS, type ExpressionPrediction } from '@fer/core';
import { IntervalGate, PerfStats, type PerfSnapshot } from '../perf/perfStats';
import type { Runtime } from '../runtime/runtime';
import type { DetectedFace, VideoFrameSource } from '../detection/faceDetector';
import { FaceTracker, type FaceTrackerOptions, type TrackedFace } from '../tracking/faceTracker';
import type { CropPixels } from '../analysis/protocol';
import { cropPixels, NO_SALIENCY_WORKER, type SaliencyClient } from '../analysis/saliencyClient';
import { cropFromCanvas, type Saliency } from './analyze';
import { FrameCanvas } from './frameCanvas';

/** A tracked face with its latest saliency map, when saliency is on. */
export interface LiveFace extends TrackedFace {
  saliency: Saliency | undefined;
  /** The detector's keypoints for this face in this frame, frame pixels (audience mode estimates head yaw from them). */
  keypoints: DetectedFace['keypoints'];
}

/** Result of one processed video frame. */
export interface LiveFrame {
  faces: LiveFace[];
  perf: PerfSnapshot;
  /** Why saliency is off although it was asked for (it then stays off; classification goes on). */
  saliencyProblem: string | undefined;
}

/**
 * Saliency is a backward pass through the CNN for every face, several times the cost of
 * classifying. The saliency worker computes it beside the frames, sharing the device's cores with
 * them: refreshing it at most ~5 Hz, and keeping that worker busy at most a quarter of the time,
 * leaves the frames their speed while the heat map still follows the face.
 */
const SALIENCY_MIN_INTERVAL_MS = 200;
const SALIENCY_MAX_SHARE = 0.25;

export interface LiveAnalyzerOptions {
  tracking?: FaceTrackerOptions;
  /** Face detection; the runtime's detector on the whole frame by default (audience mode tiles it). */
  detect?: (frame: OffscreenCanvas, nowMs: number) => DetectedFace[];
}

/**
 * Per-frame pipeline of the live camera (and of audience mode's camera and video-file paths):
 * detect, crop, classify, track and smooth; saliency maps asked of the saliency worker, each frame
 * showing the latest ones. Runs in the analysis worker.
 */
export class LiveAnalyzer {
  private readonly tracker: FaceTracker;
  private readonly perf = new PerfStats();
  private readonly saliencyGate = new IntervalGate();
  private saliencyMs = 0;
  /** A request to the saliency worker is out: the next waits for its answer. */
  private saliencyPending = false;
  private saliencyById = new Map<number, Saliency>();
  /** Bumped by reset. */
  private generation = 0;
  private saliencyProblem: string | undefined;

  private readonly detect: (frame: OffscreenCanvas, nowMs: number) => DetectedFace[];
  private readonly still = new FrameCanvas();

  constructor(
    private readonly runtime: Runtime,
    private readonly saliency: SaliencyClient | undefined,
    options: LiveAnalyzerOptions = {},
  ) {
    if (saliency === undefined) this.saliencyProblem = NO_SALIENCY_WORKER;
    this.tracker = new FaceTracker(options.tracking);
    this.detect = options.detect ?? ((frame, nowMs) => runtime.detector.detectForVideo(frame, nowMs));
  }

  /** Processes a frame (a VideoFrame or ImageBitmap in the worker); `nowMs` must increase from call to call. */
  async process(video: VideoFrameSource, nowMs: number, options: { saliency: boolean }): Promise<LiveFrame> {
    const { classifier } = this.runtime;
    let start = performance.now();
    const frame = this.still.hold(video);
    const detections = this.detect(frame, nowMs);
    const boxes = detections.map((face) => face.box);
    // Copying the frame counts as detection: the detector would read the video's pixels itself.
    this.perf.stage('detect', performance.now() - start);

    let faces: LiveFace[] = [];
    if (boxes.length === 0) {
      this.tracker.update([], nowMs);
    } else {
      start = performance.now();
      const crops = cropFromCanvas(classifier, frame, boxes);
      try {
        const predictions = await classifier.classify(crops);
        this.perf.stage('classify', performance.now() - start);
        const tracked = this.tracker.update(
          boxes.map((box, i) => ({ box, probabilities: (predictions[i] as ExpressionPrediction).probabilities })),
          nowMs,
        );
        const interval = Math.max(SALIENCY_MIN_INTERVAL_MS, this.saliencyMs / SALIENCY_MAX_SHARE);
        const { saliency } = this;
        if (
          options.saliency &&
          saliency !== undefined &&
          this.saliencyProblem === undefined &&
          !this.saliencyPending &&
          this.saliencyGate.due(nowMs, interval)
        ) {
          this.requestSaliency(
            saliency,
            await cropPixels(crops),
            tracked.map((face) => face.id),
            tracked.map((face) => EXPRESSIONS.indexOf(face.expression)),
          );
        }
        // The tracker returns faces in the order of the boxes it was given, so detection i is face i.
        faces = tracked.map((face, i) => ({
          ...face,
          saliency: options.saliency ? this.saliencyById.get(face.id) : undefined,
          keypoints: (detections[i] as DetectedFace).keypoints,
        }));
      } finally {
        crops.dispose();
      }
    }
    this.perf.frame(performance.now());
    return { faces, perf: this.perf.snapshot(), saliencyProblem: options.saliency ? this.saliencyProblem : undefined };
  }

  /** Asks for the maps of faces `ids` (for the classes shown for them) without waiting for them. */
  private requestSaliency(saliency: SaliencyClient, crops: CropPixels, ids: number[], classIndices: number[]): void {
    this.saliencyPending = true;
    const start = performance.now();
    const generation = this.generation;
    saliency
      .maps(crops, classIndices)
      .then(
        (maps) => {
          // Maps asked for before a reset would be for faces forgotten since.
          if (generation !== this.generation) return;
          this.saliencyMs = performance.now() - start;
          this.perf.stage('saliency', this.saliencyMs);
          this.saliencyById = new Map(ids.map((id, i) => [id, maps[i] as Saliency]));
        },
        (error: unknown) => {
          // A gradient kernel the backend lacks must not stop the labels.
          this.saliencyProblem = error instanceof Error ? error.message : String(error);
        },
      )
      .finally(() => {
        this.saliencyPending = false;
      });
  }

  /** Forgets faces and timings, e.g. after the camera was switched or paused. */
  reset(): void {
    this.tracker.reset();
    this.perf.reset();
    this.saliencyById.clear();
    this.generation++;
  }
}
