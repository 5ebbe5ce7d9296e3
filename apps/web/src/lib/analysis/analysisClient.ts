/**
 * The page's side of the analysis worker (analysis.worker.ts), and of the saliency worker
 * (saliency.worker.ts) that the analysis worker talks to directly. The page hands frames over and
 * draws whatever comes back; it never waits for a frame's analysis: a camera frame that arrives
 * while the worker is busy replaces the one waiting (the latest wins, the others are dropped).
 */
import { ArtifactError, type ArtifactProblem, type Manifest } from '@fer/core';
import type { LiveFrame } from '../pipeline/liveAnalyzer';
import type { BackendReport, BackendRequest } from '../runtime/backendChoice';
import { RuntimeLoadError, type RuntimePart } from '../runtime/loadError';
import type { RuntimeUrls } from '../runtime/runtime';
import type { FaceTrackerOptions } from '../tracking/faceTracker';
import type { AnalysisApi, PhotoResult, TransferableFrame } from './protocol';
import { fromPlainWire, RpcClient, type WireError } from './rpc';

/** What the page knows of the runtime: the model's manifest, the backend and the worker that runs them. */
export interface AppRuntime {
  manifest: Manifest;
  backend: BackendReport;
  analysis: AnalysisClient;
}

/** Rebuilds the worker's errors, load errors with the file at fault (see loadError.ts). */
function fromWire(error: WireError): Error {
  if (error.name !== 'RuntimeLoadError' || error.data === undefined) return fromPlainWire(error);
  const { part, file, cause } = error.data as {
    part: RuntimePart;
    file: string | undefined;
    cause: { file: string; problem: ArtifactProblem; message: string } | undefined;
  };
  const artifact = cause === undefined ? undefined : new ArtifactError(cause.file, cause.problem, cause.message);
  return new RuntimeLoadError(part, file, error.message, artifact === undefined ? undefined : { cause: artifact });
}

let streamCount = 0;

/** How vite builds the app's two workers: it needs this exact `new Worker(new URL(...))` form. */
export const APP_WORKERS: AnalysisWorkers = {
  analysis: () => new Worker(new URL('./analysis.worker.ts', import.meta.url), { type: 'module', name: 'analysis' }),
  saliency: () => new Worker(new URL('./saliency.worker.ts', import.meta.url), { type: 'module', name: 'saliency' }),
};

/** Starts each of the app's workers. */
export interface AnalysisWorkers {
  analysis: () => Worker;
  saliency: () => Worker;
}

/** Options of `AnalysisClient.start`. */
export interface AnalysisStartOptions {
  /** Start the saliency worker, which computes the maps live and photo mode show; default true. Audience mode shows none. */
  saliency?: boolean;
  /** How to start the workers; default `APP_WORKERS` (the benches serve their own bundles of them). */
  workers?: AnalysisWorkers;
}

export class AnalysisClient {
  private constructor(
    private readonly workers: Worker[],
    private readonly rpc: RpcClient<AnalysisApi>,
  ) {}

  /**
   * Starts the workers and loads the runtime in them (backend per `backend`, classifier, detector;
   * the saliency worker's classifier on the backend chosen).
   */
  static async start(urls: RuntimeUrls, backend: BackendRequest, options: AnalysisStartOptions = {}): Promise<AppRuntime> {
    const { saliency = true, workers = APP_WORKERS } = options;
    const analysis = workers.analysis();
    const rpc = new RpcClient<AnalysisApi>(analysis, fromWire);
    analysis.addEventListener('error', (event) => rpc.failPending(new Error(`the analysis worker failed: ${event.message}`)));
    const started = [analysis];
    let saliencyPort: MessagePort | undefined;
    if (saliency) {
      // The two workers talk over their own channel: maps never pass through the page.
      const channel = new MessageChannel();
      const saliencyWorker = workers.saliency();
      // Without this, maps would never come and a photo would wait for them for ever.
      saliencyWorker.addEventListener('error', (event) => {
        const message = event instanceof ErrorEvent && event.message !== '' ? event.message : 'its script could not be loaded';
        rpc.call('saliencyFailed', { message }).catch(() => undefined);
      });
      saliencyWorker.postMessage({ port: channel.port2 }, [channel.port2]);
      started.push(saliencyWorker);
      saliencyPort = channel.port1;
    }
    const client = new AnalysisClient(started, rpc);
    try {
      const { manifest, backend: report } = await rpc.call('init', { urls, backend, saliencyPort }, saliencyPort === undefined ? [] : [saliencyPort]);
      return { manifest, backend: report, analysis: client };
    } catch (error) {
      client.terminate();
      throw error;
    }
  }

  /** A stream of video frames with its own tracking; `onerror` hears about frames that failed. */
  stream(options: { tiled?: boolean; tracking?: FaceTrackerOptions }, onerror: (error: unknown) => void): FrameStream {
    const id = `stream-${++streamCount}`;
    const opened = this.rpc.call('openStream', {
      stream: id,
      tiled: options.tiled ?? false,
      ...(options.tracking ? { tracking: options.tracking } : {}),
    });
    return new FrameStream(this.rpc, id, opened, onerror);
  }

  /** Analyses a decoded photo (see decodePhoto.ts); the bitmap is transferred. */
  photo(bitmap: ImageBitmap): Promise<PhotoResult> {
    return this.rpc.call('photo', { bitmap }, [bitmap]);
  }

  /** Stops the workers; calls still waiting reject. */
  terminate(): void {
    for (const worker of this.workers) worker.terminate();
    this.rpc.failPending(new Error('the analysis worker was stopped'));
  }
}

/**
 * The frame `video` shows, to hand to the worker: a VideoFrame where the browser has them (it
 * shares the camera's buffer; the worker converts it), else an ImageBitmap (a copy made on the
 * page: 10-30 ms per 720p frame measured here). Rejects while the video has no frame yet.
 */
export async function grabFrame(video: HTMLVideoElement): Promise<TransferableFrame> {
  if (typeof VideoFrame === 'function') return new VideoFrame(video);
  return createImageBitmap(video);
}

interface Submission {
  frame: TransferableFrame;
  nowMs: number;
  saliency: boolean;
  onresult: (frame: LiveFrame) => void;
}

/** One stream of frames in the worker, with tracking; see `submit` and `analyze`. */
export class FrameStream {
  private inFlight = false;
  private waiting: Submission | undefined;
  /** Bumped by reset: results of frames sent before it are dropped. */
  private generation = 0;
  private closed = false;

  constructor(
    private readonly rpc: RpcClient<AnalysisApi>,
    private readonly id: string,
    private readonly opened: Promise<void>,
    private readonly onerror: (error: unknown) => void,
  ) {}

  /** A frame is being analysed. */
  get busy(): boolean {
    return this.inFlight;
  }

  /**
   * Hands a camera frame over and returns at once. Sent now when the worker is free, else it
   * waits in place of any frame already waiting (closed, never analysed). `onresult` runs with
   * this frame's result, unless `reset` or `close` came first. `nowMs` must increase.
   */
  submit(frame: TransferableFrame, nowMs: number, saliency: boolean, onresult: (result: LiveFrame) => void): void {
    if (this.closed) {
      frame.close();
      return;
    }
    const submission = { frame, nowMs, saliency, onresult };
    if (!this.inFlight) {
      this.send(submission);
      return;
    }
    this.waiting?.frame.close();
    this.waiting = submission;
  }

  /** Analyses this frame and resolves with its result: for video files, where every frame counts. */
  async analyze(frame: TransferableFrame, nowMs: number, saliency = false): Promise<LiveFrame> {
    await this.opened;
    return this.rpc.call('frame', { stream: this.id, frame, nowMs, saliency }, [frame]);
  }

  /** Forgets the waiting frame, the results in flight, and the stream's faces and timings. */
  reset(): void {
    this.generation++;
    this.waiting?.frame.close();
    this.waiting = undefined;
    void this.opened.then(() => this.rpc.call('resetStream', { stream: this.id })).catch(() => {});
  }

  /** Ends the stream in the worker. */
  close(): void {
    this.reset();
    this.closed = true;
    void this.opened.then(() => this.rpc.call('closeStream', { stream: this.id })).catch(() => {});
  }

  private send(submission: Submission): void {
    this.inFlight = true;
    const generation = this.generation;
    this.analyze(submission.frame, submission.nowMs, submission.saliency)
      .then(
        (result) => {
          if (generation === this.generation) submission.onresult(result);
        },
        (error: unknown) => {
          if (generation === this.generation) this.onerror(error);
        },
      )
      .finally(() => {
        this.inFlight = false;
        const next = this.waiting;
        this.waiting = undefined;
        if (next !== undefined) this.send(next);
      });
  }
}
