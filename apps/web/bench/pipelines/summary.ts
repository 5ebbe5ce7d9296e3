import type { Stage } from '../../src/lib/perf/perfStats';
import type { PipelineId, PipelineRun } from './protocol';

const STAGES: readonly Stage[] = ['detect', 'classify', 'saliency'];

/** Milliseconds: mean and percentiles. */
export interface MsStats {
  mean: number;
  p50: number;
  p95: number;
}

/** One pipeline's numbers. */
export interface PipelineSummary {
  id: PipelineId;
  library: string;
  backend: string;
  options: Record<string, unknown>;
  stageSource: string;
  framesMeasured: number;
  /** Frames processed per second of wall time: end to end, capped by the camera's frame rate. */
  fps: number;
  /** Share of frames in which at least one face was found. */
  faceFrameShare: number;
  /** Wall time of frames with a face, from when their analysis began. */
  frameMs: MsStats | undefined;
  /** From capture to result, frames with a face: frameMs plus any wait behind the frame before. */
  latencyMs: MsStats | undefined;
  /** frameMs.mean divided by faces per frame: the per-face cost the issue compares. */
  msPerFace: number | undefined;
  /** Mean per stage over the frames that ran it; `derived` when computed from another run. */
  stageMs: Partial<Record<Stage, number>>;
  derived?: string;
}

/** One target of issue 27 checked against the run: the measured value, its limit, and whether it holds. */
export interface TargetCheck {
  what: string;
  value: number | undefined;
  limit: number | undefined;
  met: boolean;
}

export interface PipelinesResult {
  setup: { camera: { width: number; height: number; fps: number }; warmupMs: number; browser: string; foreignRequests: string[] };
  pipelines: PipelineSummary[];
  targets: TargetCheck[];
}

/** `value <= limit` (or `>=` when `atLeast`), false when either was not measured. */
function check(what: string, value: number | undefined, limit: number | undefined, atLeast = false): TargetCheck {
  const met = value !== undefined && limit !== undefined && (atLeast ? value >= limit : value <= limit);
  return { what, value, limit, met };
}

/** Issue 27's targets for the live pipeline: this app against Human, and real time with saliency. */
function targetChecks(pipelines: readonly PipelineSummary[]): TargetCheck[] {
  const byId = (id: PipelineId) => pipelines.find((p) => p.id === id);
  const [fer, plain, human] = [byId('fer'), byId('fer-no-saliency'), byId('human')];
  const half = human?.msPerFace === undefined ? undefined : human.msPerFace / 2;
  return [
    check('ms per face with saliency off <= half of human’s', plain?.msPerFace, half),
    check('classify ms <= human’s classify', plain?.stageMs.classify, human?.stageMs.classify),
    check('FPS with saliency >= 25', fer?.fps, 25, true),
    check('p95 ms per frame with saliency <= 60', fer?.frameMs?.p95, 60),
  ];
}

function stats(values: readonly number[]): MsStats | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
  return { mean: sorted.reduce((a, b) => a + b, 0) / sorted.length, p50: at(0.5), p95: at(0.95) };
}

const mean = (values: readonly number[]) => (values.length === 0 ? undefined : values.reduce((a, b) => a + b, 0) / values.length);

function summariseRun(run: PipelineRun): PipelineSummary {
  const withFace = run.frames.filter((f) => f.faces > 0);
  const frameMs = stats(withFace.map((f) => f.ms));
  const latencyMs = stats(withFace.map((f) => f.latencyMs));
  const facesPerFrame = mean(withFace.map((f) => f.faces));
  const stageMs: Partial<Record<Stage, number>> = {};
  for (const stage of STAGES) {
    // Stages a frame skipped (no face, saliency not due) are absent or 0 there.
    const value = mean(run.frames.map((f) => f.stageMs[stage] ?? 0).filter((ms) => ms > 0));
    if (value !== undefined) stageMs[stage] = value;
  }
  return {
    id: run.id,
    library: run.library,
    backend: run.backend,
    options: run.options,
    stageSource: run.stageSource,
    framesMeasured: run.frames.length,
    fps: (1000 * run.frames.length) / run.elapsedMs,
    faceFrameShare: run.frames.length === 0 ? 0 : withFace.length / run.frames.length,
    frameMs,
    latencyMs,
    msPerFace: frameMs !== undefined && facesPerFrame !== undefined ? frameMs.mean / facesPerFrame : undefined,
    stageMs,
  };
}

const ms = (value: number | undefined) => (value === undefined ? '–' : value.toFixed(1));

/**
 * Summaries of every run. Human's detection time is its detection-only run's frame time (Human
 * times detection together with its image processing); its classify time is its own timing of
 * the emotion model, from the full run. The two runs' difference, which moved between runs by more
 * than the figure itself, is noted beside it.
 */
export function summarise(runs: readonly PipelineRun[], setup: PipelinesResult['setup']): PipelinesResult {
  const pipelines = runs.map(summariseRun);
  const human = pipelines.find((p) => p.id === 'human');
  const detectOnly = pipelines.find((p) => p.id === 'human-detect-only');
  if (human?.frameMs !== undefined && detectOnly?.frameMs !== undefined) {
    const difference = human.frameMs.mean - detectOnly.frameMs.mean;
    human.stageMs = { ...human.stageMs, detect: detectOnly.frameMs.mean };
    human.derived = `detect = human-detect-only frame ms; classify = Human's own performance.emotion (the runs' difference: ${ms(difference)} ms)`;
  }
  return { setup, pipelines, targets: targetChecks(pipelines) };
}

/** The results as a markdown table, with issue 27's targets checked against them. */
export function pipelinesMarkdown({ setup, pipelines, targets }: PipelinesResult): string {
  const rows = pipelines.map(
    (p) =>
      `| ${p.id} | ${p.backend} | ${p.fps.toFixed(1)} | ${ms(p.frameMs?.p50)} | ${ms(p.frameMs?.p95)} | ${ms(p.latencyMs?.p95)} | ${ms(p.msPerFace)} | ` +
      `${STAGES.map((s) => ms(p.stageMs[s])).join(' | ')} | ${(100 * p.faceFrameShare).toFixed(0)}% |`,
  );
  const lines = [
    `Camera: ${setup.camera.width}x${setup.camera.height} at ${setup.camera.fps} fps (FPS cannot exceed it); ${setup.browser}; requests beyond localhost: ${setup.foreignRequests.length}.`,
    '',
    '| pipeline | backend | FPS | ms/frame p50 | ms/frame p95 | latency p95 | ms/face | detect ms | classify ms | saliency ms | frames with a face |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    ...targets.map((t) => `Target: ${t.what}: ${ms(t.value)} (limit ${ms(t.limit)}), ${t.met ? 'met' : 'NOT met'}.`),
  ];
  const notes = pipelines.filter((p) => p.derived !== undefined).map((p) => `${p.id}: ${p.derived}.`);
  return [...lines, ...notes].join('\n');
}
