import { AnalysisClient, type AppRuntime } from '../src/lib/analysis/analysisClient';
import { runtimeUrls } from '../src/lib/runtime/runtime';
import { ANALYSIS_WORKER_PATH, SALIENCY_WORKER_PATH } from './analysisWorkerPath';

/** The app's runtime in its workers, on WebAssembly (as the benches compare), from a bench page. */
export function startBenchRuntime(): Promise<AppRuntime> {
  return AnalysisClient.start(runtimeUrls(''), { force: 'wasm', by: 'url' }, () => ({
    analysis: new Worker(ANALYSIS_WORKER_PATH, { type: 'module', name: 'analysis' }),
    saliency: new Worker(SALIENCY_WORKER_PATH, { type: 'module', name: 'saliency' }),
  }));
}
