import { backendLabel } from '../../src/lib/runtime/backendChoice';
import { startBenchRuntime } from '../benchRuntime';
import type { PipelineAdapter } from './adapter';

/**
 * This app's live pipeline as CameraView runs it: each frame copied to an ImageBitmap and
 * transferred to the analysis worker (MediaPipe face detection, crop, CNN features + SVM,
 * tracking, saliency at most ~5 Hz), the result awaited here so that every frame is timed.
 */
export async function createFerPipeline(saliency: boolean): Promise<PipelineAdapter> {
  const runtime = await startBenchRuntime();
  let stream = runtime.analysis.stream({}, () => {});
  return {
    library: '@fer/web analysis worker (MediaPipe tasks-vision 1.1.0 BlazeFace short range + @fer/core CNN+SVM)',
    backend: `analysis worker: tfjs on ${backendLabel(runtime.backend)}; detector: MediaPipe wasm (CPU)`,
    options: { saliency, saliencyMaxHz: 5, saliencyMaxShare: 0.25, faceMargin: runtime.manifest.input.cropMargin, input: '48x48 grey' },
    stageSource:
      "the app's own PerfStats (what the HUD shows: exponential averages, alpha 0.1, reset after the warm-up), averaged over the measured frames",
    // The warm-up's first frames take seconds (wasm compilation); keep them out of the averages.
    startMeasuring() {
      stream.close();
      stream = runtime.analysis.stream({}, () => {});
    },
    async frame(video, nowMs) {
      const result = await stream.analyze(await createImageBitmap(video), nowMs, saliency);
      return { faces: result.faces.length, stageMs: { ...result.perf.ms } };
    },
    dispose() {
      runtime.analysis.terminate();
    },
  };
}
