/**
 * The pipeline bench's page (bundled by index.ts): opens the (fake) camera once, then runs each
 * pipeline it is asked for on it, frame by frame (requestVideoFrameCallback) as the pipeline is
 * meant to be used (see `PipelineAdapter`), and hands the raw timings back.
 */
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import type { PipelineAdapter } from './adapter';
import { createFaceApiPipeline } from './faceApi';
import { createHumanPipeline } from './human';
import { createFerPipeline } from './ours';
import type { FrameSample, PipelineId, PipelinePlan, PipelineRun } from './protocol';

const CREATE: Record<PipelineId, () => Promise<PipelineAdapter>> = {
  fer: () => createFerPipeline(true),
  'fer-no-saliency': () => createFerPipeline(false),
  'face-api': createFaceApiPipeline,
  human: () => createHumanPipeline(true),
  'human-detect-only': () => createHumanPipeline(false),
};

let video: HTMLVideoElement | undefined;

async function camera(): Promise<HTMLVideoElement> {
  if (video !== undefined) return video;
  const element = document.createElement('video');
  element.muted = true;
  element.playsInline = true;
  element.srcObject = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: false });
  document.body.append(element);
  await element.play();
  video = element;
  return element;
}

/** How tfjs's wasm backend runs here (SIMD, threads), for the report; empty on other backends. */
async function wasmDetails(): Promise<string> {
  if (tf.getBackend() !== 'wasm') return '';
  const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
  const threads = getThreadsCount();
  return ` (${simd ? 'SIMD' : 'no SIMD'}, ${threads} thread${threads === 1 ? '' : 's'})`;
}

/** Resolves at the next new video frame, like CameraView's loop. */
function nextFrame(element: HTMLVideoElement): Promise<number> {
  return new Promise((resolve) => element.requestVideoFrameCallback((now) => resolve(now)));
}

window.runPipeline = async (plan: PipelinePlan): Promise<PipelineRun> => {
  const element = await camera();
  const adapter = await CREATE[plan.id]();
  try {
    const frames: FrameSample[] = [];
    const warmupEnd = performance.now() + plan.warmupMs;
    let measureStart: number | undefined;
    for (;;) {
      await nextFrame(element);
      const start = performance.now();
      if (measureStart === undefined && start >= warmupEnd) {
        measureStart = start;
        adapter.startMeasuring?.();
      }
      if (measureStart !== undefined && start - measureStart >= plan.measureMs) {
        return {
          id: plan.id,
          library: adapter.library,
          backend: adapter.backend.replace(/^tfjs wasm/, `tfjs wasm${await wasmDetails()}`),
          options: adapter.options,
          stageSource: adapter.stageSource,
          elapsedMs: start - measureStart,
          frames,
          videoWidth: element.videoWidth,
          videoHeight: element.videoHeight,
        };
      }
      const measuring = measureStart !== undefined;
      if ('submit' in adapter) {
        await adapter.submit(element, start, (sample) => {
          if (measuring) frames.push(sample);
        });
      } else {
        const result = await adapter.frame(element, start);
        const ms = performance.now() - start;
        if (measuring) frames.push({ ms, latencyMs: ms, ...result });
      }
    }
  } finally {
    adapter.dispose();
  }
};
