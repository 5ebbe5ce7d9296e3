import { closeCamera, playCamera, type CameraSession, type PlayCameraResult } from './camera';

/** What `CameraLoop.start` opens. */
export interface CameraLoopStartOptions {
  /** The camera to open; default: the front camera. */
  deviceId?: string;
  /** Resolution asked for; default 640x480 (see `openCamera`). */
  ideal?: { width: number; height: number };
}

/**
 * Handles one video frame: `now` is performance.now() when it arrived. After any await, check
 * `isCurrent()` before using the result: false means the loop was stopped or restarted meanwhile.
 * The next frame is requested once the returned promise resolves, so frames never overlap. A
 * handler catches its own errors: a rejection stops the loop (and the camera) and is rethrown.
 */
export type FrameHandler = (now: number, isCurrent: () => boolean) => Promise<void>;

/** Asks for `callback` at the next new video frame (at the next paint where the browser lacks requestVideoFrameCallback); returns its cancel. */
export function requestFrame(video: HTMLVideoElement, callback: () => void): () => void {
  // Firefox shipped requestVideoFrameCallback only in 2024 (v132); older engines get one call per paint.
  if (typeof video.requestVideoFrameCallback === 'function') {
    const id = video.requestVideoFrameCallback(callback);
    return () => video.cancelVideoFrameCallback(id);
  }
  const id = requestAnimationFrame(callback);
  return () => cancelAnimationFrame(id);
}

/**
 * One camera playing in one <video>, and a loop over its frames: the lifecycle that live mode and
 * audience mode share. `start` opens and plays the camera, `run` hands each new frame to a
 * handler, `stop` ends the loop and turns the camera off. A stop or a newer start while the
 * browser is still opening the camera supersedes that start, and the camera it opened is closed.
 */
export class CameraLoop {
  private generation = 0;
  private cancelFrame: (() => void) | undefined;
  private current: CameraSession | undefined;

  private constructor(private readonly video: HTMLVideoElement) {}

  /** A loop that plays its camera in `video`. */
  static create(video: HTMLVideoElement): CameraLoop {
    return new CameraLoop(video);
  }

  /** The open camera, while there is one. */
  get session(): CameraSession | undefined {
    return this.current;
  }

  /** Stops what runs, then opens and plays a camera; resolves once its size is known (see `playCamera`). */
  async start(options: CameraLoopStartOptions = {}): Promise<PlayCameraResult> {
    this.stop();
    const generation = this.generation;
    const result = await playCamera(this.video, () => generation === this.generation, options.deviceId, options.ideal);
    if (result.ok) this.current = result.session;
    return result;
  }

  /** Calls `onFrame` for each new frame of the camera `start` opened, until `stop` or the next `start`. */
  run(onFrame: FrameHandler): void {
    const generation = this.generation;
    const isCurrent = () => generation === this.generation;
    const next = (): void => {
      this.cancelFrame = requestFrame(this.video, () => {
        if (!isCurrent()) return;
        void onFrame(performance.now(), isCurrent).then(
          () => {
            if (isCurrent()) next();
          },
          (error: unknown) => {
            if (isCurrent()) this.stop();
            throw error;
          },
        );
      });
    };
    if (isCurrent() && this.current !== undefined) next();
  }

  /** Ends the loop, turns the camera off and empties the video. Safe to call at any time. */
  stop(): void {
    this.generation++;
    this.cancelFrame?.();
    this.cancelFrame = undefined;
    if (this.current !== undefined) closeCamera(this.current);
    this.current = undefined;
    this.video.srcObject = null;
  }
}
