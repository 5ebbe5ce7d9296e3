/**
 * The one code path from a frame to session data, shared by the live camera and the video file:
 * the analysis worker (detect on tiles, classify, track, smooth; no saliency) then SessionRecorder.
 * Only the frame source, the clock and the pacing differ: the camera hands frames over without
 * waiting (the latest wins while the worker is busy), a file waits for each one.
 */
import type { AnalysisClient, AppRuntime, FrameStream } from '../analysis/analysisClient.js';
import type { TransferableFrame } from '../analysis/protocol.js';
import type { LiveFace } from '../pipeline/liveAnalyzer.js';
import type { FaceTrackerOptions } from '../tracking/faceTracker.js';
import type { SessionRecorder, SessionSink } from './recorder.js';
import type { DecodedFrame, VideoFile } from './videoFile.js';

/**
 * Tracking for an audience: faces sit still but are small and many, so the detector misses one
 * now and then; a second (or two analysed frames, when analysis is slow) of grace keeps its id,
 * and the centroid fallback re-attaches a face whose box jumped.
 */
export const AUDIENCE_TRACKING: FaceTrackerOptions = { minIou: 0.3, tauMs: 300, keepMissingMs: 1000, keepMissingFrames: 2, maxCentroidDistance: 0.6 };

export class AudienceCapture {
  private readonly stream: FrameStream;

  /** `onerror` hears about camera frames that failed in the worker (`ingest` rejects instead). */
  constructor(
    analysis: AnalysisClient,
    readonly recorder: SessionRecorder,
    onerror: (error: unknown) => void = () => {},
  ) {
    this.stream = analysis.stream({ tiled: true, tracking: AUDIENCE_TRACKING }, onerror);
  }

  /**
   * Hands a camera frame over and returns at once; once analysed it is recorded at `sessionMs`
   * (the time it was captured) if the session was recording then, and `onfaces` runs. `trackMs`
   * drives tracking and smoothing and must increase (wall clock, so smoothing goes on while paused).
   */
  submit(frame: TransferableFrame, trackMs: number, sessionMs: number, onfaces: (faces: LiveFace[]) => void): void {
    const capturedWhile = this.recorder.state;
    this.stream.submit(frame, trackMs, false, ({ faces }) => {
      this.recorder.record(sessionMs, faces, capturedWhile);
      onfaces(faces);
    });
  }

  /** Analyses one frame (transferred) and records it at `sessionMs`; for files, where every frame counts. */
  async ingest(frame: TransferableFrame, trackMs: number, sessionMs = trackMs): Promise<LiveFace[]> {
    const { faces } = await this.stream.analyze(frame, trackMs);
    this.recorder.record(sessionMs, faces);
    return faces;
  }

  /** Drops what is in flight and ends the stream in the worker. */
  close(): void {
    this.stream.close();
  }
}

/** What both recording views (camera and video file) take. */
export interface RecordingViewProps {
  runtime: AppRuntime;
  /** Where the session is saved as it grows. */
  sink: SessionSink;
  /** The session grew or changed state. */
  onchange: (recorder: SessionRecorder) => void;
  /** The session ended (and was saved, or recorder.storageError says why not). */
  onfinish: (recorder: SessionRecorder) => void;
}

export interface FileAnalysisOptions {
  /** Analysis rate cap; faster videos have frames skipped at even steps. */
  maxFps: number;
  signal?: AbortSignal;
  /** Called with each frame just before it goes to the worker (draw it now; its faces follow in `onFrame`). */
  onPicture?: (frame: TransferableFrame) => void;
  /** Called after each analysed frame with progress 0..1 and that frame's faces. */
  onFrame?: (progress: number, faces: LiveFace[]) => void;
  /** Resolves when a paused analysis may go on (checked before every frame). */
  whenRunning?: () => Promise<void>;
}

/**
 * Runs a whole video file through `capture`, frame by frame; the next frame decodes while the
 * worker analyses this one. Cancelling (the signal) or a decode error part-way keeps the frames
 * recorded so far; the recorder is stopped either way.
 * Resolves 'done' or 'cancelled'; rejects with a VideoFileError on a damaged file.
 */
export async function analyzeVideoFile(video: VideoFile, capture: AudienceCapture, options: FileAnalysisOptions): Promise<'done' | 'cancelled'> {
  const { durationMs } = video.info;
  const frames = video.frames({ maxFps: options.maxFps, ...(options.signal ? { signal: options.signal } : {}) });
  let ahead: Promise<IteratorResult<DecodedFrame>> | undefined = frames.next();
  try {
    for (;;) {
      const decoded: IteratorResult<DecodedFrame> = await ahead;
      ahead = undefined;
      if (decoded.done === true) return 'done';
      const { frame, tMs } = decoded.value;
      try {
        await options.whenRunning?.();
        options.signal?.throwIfAborted();
      } catch (error) {
        frame.close();
        throw error;
      }
      options.onPicture?.(frame);
      ahead = frames.next();
      // Awaited on the next turn; this keeps its failure from counting as unhandled if analysis fails first.
      ahead.catch(() => {});
      const faces = await capture.ingest(frame, tMs);
      options.onFrame?.(durationMs > 0 ? Math.min(1, tMs / durationMs) : 0, faces);
    }
  } catch (error) {
    if (options.signal?.aborted === true) return 'cancelled';
    throw error;
  } finally {
    const pending = await ahead?.catch(() => undefined);
    if (pending?.done === false) pending.value.frame.close();
    await frames.return(undefined);
    capture.close();
    await capture.recorder.stop();
  }
}

/** Lets a loop wait while paused: `whenRunning()` resolves at once while running, else on resume. */
export class PauseGate {
  private waiting: { promise: Promise<void>; resolve: () => void } | undefined;

  get paused(): boolean {
    return this.waiting !== undefined;
  }

  pause(): void {
    if (this.waiting !== undefined) return;
    let resolve = () => {};
    const promise = new Promise<void>((r) => (resolve = r));
    this.waiting = { promise, resolve };
  }

  resume(): void {
    this.waiting?.resolve();
    this.waiting = undefined;
  }

  whenRunning(): Promise<void> {
    return this.waiting?.promise ?? Promise.resolve();
  }
}
