import { AnalysisClient, type AppRuntime } from '../src/lib/analysis/analysisClient';
import { runtimeUrls } from '../src/lib/runtime/runtime';
import { ANALYSIS_WORKER_PATH, SALIENCY_WORKER_PATH } from './analysisWorkerPath';

/** The app's runtime in its workers, on WebAssembly (as the benches compare), from a bench page; `saliency` as the page it stands for. */
export function startBenchRuntime(saliency: boolean): Promise<AppRuntime> {
  return AnalysisClient.start(
    runtimeUrls(''),
    { force: 'wasm', by: 'url' },
    {
      saliency,
      workers: {
        analysis: () => new Worker(ANALYSIS_WORKER_PATH, { type: 'module', name: 'analysis' }),
        saliency: () => new Worker(SALIENCY_WORKER_PATH, { type: 'module', name: 'saliency' }),
      },
    },
  );
}
