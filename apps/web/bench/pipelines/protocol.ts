/** What the pipeline bench's Node side (index.ts) and its page (page.ts) exchange. */
import type { Stage } from '../../src/lib/perf/perfStats';

/** The pipelines the page can run; each one is measured on its own, in turn, on the same camera. */
export const PIPELINE_IDS = ['fer', 'fer-no-saliency', 'face-api', 'human', 'human-detect-only'] as const;
export type PipelineId = (typeof PIPELINE_IDS)[number];

export interface PipelinePlan {
  id: PipelineId;
  /** Frames processed but not counted first: model warm-up, JIT, first-frame allocations. */
  warmupMs: number;
  measureMs: number;
}

/** One processed video frame. */
export interface FrameSample {
  /** Wall time of the whole frame (all stages, including reading the pixels), from when its analysis began. */
  ms: number;
  /** From the frame's capture to its result: `ms` plus any wait while an earlier frame was analysed. */
  latencyMs: number;
  faces: number;
  /** Time per stage where the pipeline reports or we can time it separately. */
  stageMs: Partial<Record<Stage, number>>;
}

/** A pipeline's measurement, raw: the Node side summarises it. */
export interface PipelineRun {
  id: PipelineId;
  library: string;
  /** tfjs backend (and what runs outside tfjs, e.g. MediaPipe's own wasm). */
  backend: string;
  /** Settings that change the cost (input sizes, thresholds, caching). */
  options: Record<string, unknown>;
  /** How the per-stage times were obtained. */
  stageSource: string;
  elapsedMs: number;
  frames: FrameSample[];
  videoWidth: number;
  videoHeight: number;
}

declare global {
  interface Window {
    /** Set by page.ts once loaded. */
    runPipeline(plan: PipelinePlan): Promise<PipelineRun>;
  }
}
