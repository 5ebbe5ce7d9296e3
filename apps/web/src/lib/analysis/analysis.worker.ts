/// <reference lib="webworker" />
/**
 * The analysis worker: detection (MediaPipe tasks-vision, CPU delegate), crops, classification
 * and tracking, off the page's main thread, which only draws and handles input; saliency maps are
 * asked of the saliency worker and shown when they come. Frames arrive as transferred VideoFrames
 * or ImageBitmaps and are closed here; results go back as plain data.
 */
import { ArtifactError } from '@fer/core';
import { TiledDetector } from '../detection/tiledDetection';
import { LiveAnalyzer } from '../pipeline/liveAnalyzer';
import { analyzePhoto } from '../pipeline/photoAnalyzer';
import { RuntimeLoadError } from '../runtime/loadError';
import { loadRuntime, type Runtime } from '../runtime/runtime';
import type { AnalysisApi, FrameRequest, StreamOptions } from './protocol';
import { serve, toPlainWire, type WireError } from './rpc';
import { SaliencyClient } from './saliencyClient';

declare const self: DedicatedWorkerGlobalScope;

let runtime: Runtime | undefined;
let saliency: SaliencyClient | undefined;
/** Why the saliency worker failed, if the page said so before it was connected. */
let saliencyFailure: string | undefined;
const streams = new Map<string, LiveAnalyzer>();

function ready(): { runtime: Runtime; saliency: SaliencyClient | undefined } {
  if (runtime === undefined) throw new Error('the analysis worker was not initialised');
  return { runtime, saliency };
}

function stream(id: string): LiveAnalyzer {
  const analyzer = streams.get(id);
  if (analyzer === undefined) throw new Error(`no stream ${id}`);
  return analyzer;
}

const api: AnalysisApi = {
  async init({ urls, backend, saliencyPort }) {
    runtime ??= await loadRuntime(urls, backend, saliencyPort !== undefined);
    // The saliency worker loads on the backend chosen here, while the first frames are analysed.
    if (saliencyPort !== undefined) saliency ??= SaliencyClient.connect(saliencyPort, urls, runtime.backend.name);
    if (saliencyFailure !== undefined) saliency?.fail(saliencyFailure);
    return { manifest: runtime.classifier.manifest, backend: runtime.backend };
  },
  openStream({ stream: id, tiled, tracking }: StreamOptions) {
    const { runtime, saliency } = ready();
    const tiles = tiled ? new TiledDetector(runtime.detector) : undefined;
    streams.set(
      id,
      new LiveAnalyzer(runtime, saliency, {
        ...(tracking ? { tracking } : {}),
        ...(tiles ? { detect: (frame: OffscreenCanvas, nowMs: number) => tiles.detect(frame, nowMs) } : {}),
      }),
    );
    return Promise.resolve();
  },
  async frame({ stream: id, frame, nowMs, saliency }: FrameRequest) {
    try {
      return await stream(id).process(frame, nowMs, { saliency });
    } finally {
      frame.close();
    }
  },
  resetStream({ stream: id }) {
    streams.get(id)?.reset();
    return Promise.resolve();
  },
  closeStream({ stream: id }) {
    streams.delete(id);
    return Promise.resolve();
  },
  photo({ bitmap }) {
    const { runtime, saliency } = ready();
    return analyzePhoto(runtime, saliency, bitmap);
  },
  saliencyFailed({ message }) {
    saliencyFailure = message;
    saliency?.fail(message);
    return Promise.resolve();
  },
};

/** Errors as plain data; a load error keeps what the page needs to name the file at fault. */
function toWire(error: unknown): WireError {
  if (!(error instanceof RuntimeLoadError)) return toPlainWire(error);
  const cause =
    error.cause instanceof ArtifactError ? { file: error.cause.file, problem: error.cause.problem, message: error.cause.message } : undefined;
  return { name: error.name, message: error.message, data: { part: error.part, file: error.file, cause } };
}

serve(api, self, toWire);
