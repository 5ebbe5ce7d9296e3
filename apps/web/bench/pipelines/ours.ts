import { LiveAnalyzer } from '../../src/lib/pipeline/liveAnalyzer';
import { loadRuntime, runtimeUrls } from '../../src/lib/runtime/runtime';
import type { PipelineAdapter } from './adapter';

/**
 * This app's live pipeline, exactly as CameraView runs it (LiveAnalyzer over the runtime the app
 * loads): MediaPipe face detection, crop, CNN features + SVM, tracking, saliency at most ~5 Hz.
 */
export async function createFerPipeline(saliency: boolean): Promise<PipelineAdapter> {
  const runtime = await loadRuntime(runtimeUrls(''), 'wasm');
  const analyzer = new LiveAnalyzer(runtime);
  return {
    library: '@fer/web LiveAnalyzer (MediaPipe tasks-vision 1.1.0 BlazeFace short range + @fer/core CNN+SVM)',
    backend: `tfjs ${runtime.backend}; detector: MediaPipe wasm (CPU)`,
    options: { saliency, saliencyMaxHz: 5, saliencyMaxShare: 0.25, faceMargin: runtime.classifier.manifest.input.cropMargin, input: '48x48 grey' },
    stageSource:
      "the app's own PerfStats (what the HUD shows: exponential averages, alpha 0.1, reset after the warm-up), averaged over the measured frames",
    // The warm-up's first frames take seconds (wasm compilation); keep them out of the averages.
    startMeasuring: () => analyzer.reset(),
    async frame(video, nowMs) {
      const result = await analyzer.process(video, nowMs, { saliency });
      return { faces: result.faces.length, stageMs: { ...result.perf.ms } };
    },
    dispose() {
      runtime.classifier.dispose();
      runtime.detector.close();
    },
  };
}
