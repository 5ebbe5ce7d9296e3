import { grabFrame } from '../../src/lib/analysis/analysisClient';
import { backendLabel } from '../../src/lib/runtime/backendChoice';
import { startBenchRuntime } from '../benchRuntime';
import type { StreamedAdapter } from './adapter';

/**
 * This app's live pipeline as CameraView runs it: each camera frame grabbed (a VideoFrame) and
 * submitted to the analysis worker (MediaPipe face detection, crop, CNN features + SVM, tracking,
 * saliency at most ~5 Hz), which takes the newest frame whenever it is free; the page never waits.
 */
export async function createFerPipeline(saliency: boolean): Promise<StreamedAdapter> {
  // The live page's runtime, saliency worker included (idle when saliency is off).
  const runtime = await startBenchRuntime(true);
  // A frame that fails is reported at the next submission, which ends the run with it.
  let failure: Error | undefined;
  const openStream = () =>
    runtime.analysis.stream({}, (error) => {
      failure ??= error instanceof Error ? error : new Error(String(error));
    });
  let stream = openStream();
  // A frame's analysis begins when it is submitted, or when the one before it comes back if the worker was busy then.
  let lastResultAt = 0;
  return {
    library: '@fer/web analysis worker (MediaPipe tasks-vision 1.1.0 BlazeFace short range + @fer/core CNN+SVM)',
    backend: `analysis worker: tfjs on ${backendLabel(runtime.backend)}; detector: MediaPipe wasm (CPU)`,
    options: { saliency, saliencyMaxHz: 5, saliencyMaxShare: 0.25, faceMargin: runtime.manifest.input.cropMargin, input: '48x48 grey' },
    stageSource:
      "the app's own PerfStats (what the HUD shows: exponential averages, alpha 0.1, reset after the warm-up), averaged over the measured frames",
    // The warm-up's first frames take seconds (wasm compilation); keep them out of the averages.
    startMeasuring() {
      stream.close();
      stream = openStream();
    },
    async submit(video, nowMs, onSample) {
      if (failure !== undefined) throw failure;
      const frame = await grabFrame(video);
      stream.submit(frame, nowMs, saliency, (result) => {
        const resultAt = performance.now();
        const ms = resultAt - Math.max(nowMs, lastResultAt);
        lastResultAt = resultAt;
        onSample({ ms, latencyMs: resultAt - nowMs, faces: result.faces.length, stageMs: { ...result.perf.ms } });
      });
    },
    dispose() {
      runtime.analysis.terminate();
    },
  };
}
