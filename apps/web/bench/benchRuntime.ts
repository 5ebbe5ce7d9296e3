import { AnalysisClient, type AppRuntime } from '../src/lib/analysis/analysisClient';
import { runtimeUrls } from '../src/lib/runtime/runtime';

/** Page side of analysisWorker.ts. Where the benches serve the analysis worker's bundle (see analysisWorker.ts). */
export const ANALYSIS_WORKER_PATH = '/analysis-worker.js';

/** The app's runtime in its worker, on WebAssembly (as the benches compare), from a bench page. */
export function startBenchRuntime(): Promise<AppRuntime> {
  return AnalysisClient.start(
    runtimeUrls(''),
    { force: 'wasm', by: 'url' },
    () => new Worker(ANALYSIS_WORKER_PATH, { type: 'module', name: 'analysis' }),
  );
}
