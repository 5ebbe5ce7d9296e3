import type { FrameSample, PipelineRun } from './protocol';

/** One expression pipeline, as the bench page drives it: frame in, faces and stage times out. */
export interface PipelineAdapter {
  library: PipelineRun['library'];
  backend: PipelineRun['backend'];
  options: PipelineRun['options'];
  stageSource: PipelineRun['stageSource'];
  /** Called once the warm-up is over, e.g. to drop averages that include it. */
  startMeasuring?(): void;
  /** Analyses the video's current frame. */
  frame(video: HTMLVideoElement, nowMs: number): Promise<Omit<FrameSample, 'ms'>>;
  dispose(): void;
}

/** Where the page finds everything; all on its own origin. */
export const BENCH_URLS = {
  tfjsWasm: '/tfjs-wasm/',
  faceApiModels: '/face-api/model/',
  humanModels: '/human/models/',
} as const;
