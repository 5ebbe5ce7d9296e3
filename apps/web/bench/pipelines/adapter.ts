import type { FrameSample, PipelineRun } from './protocol';

interface AdapterInfo {
  library: PipelineRun['library'];
  backend: PipelineRun['backend'];
  options: PipelineRun['options'];
  stageSource: PipelineRun['stageSource'];
  /** Called once the warm-up is over, e.g. to drop averages that include it. */
  startMeasuring?(): void;
  dispose(): void;
}

/** A pipeline on the page's thread: the page awaits each frame's analysis before taking the next frame. */
export interface AwaitedAdapter extends AdapterInfo {
  /** Analyses the video's current frame. */
  frame(video: HTMLVideoElement, nowMs: number): Promise<Omit<FrameSample, 'ms' | 'latencyMs'>>;
}

/**
 * A pipeline that, like this app's, never makes the page wait: every camera frame is handed over
 * and the analysis takes the newest one whenever it is free; frames it never took give no sample.
 */
export interface StreamedAdapter extends AdapterInfo {
  /** Hands over the video's current frame, captured at `nowMs`; `onSample` runs once it is analysed. */
  submit(video: HTMLVideoElement, nowMs: number, onSample: (sample: FrameSample) => void): Promise<void>;
}

/** One expression pipeline, as the bench page drives it: frames in, faces and stage times out. */
export type PipelineAdapter = AwaitedAdapter | StreamedAdapter;

/** Where the page finds everything; all on its own origin. */
export const BENCH_URLS = {
  tfjsWasm: '/tfjs-wasm/',
  faceApiModels: '/face-api/model/',
  humanModels: '/human/models/',
} as const;
