import { AnalysisClient, type AppRuntime } from '../src/lib/analysis/analysisClient';
import { runtimeUrls } from '../src/lib/runtime/runtime';
import { ANALYSIS_WORKER_PATH } from './analysisWorkerPath';

/** The app's runtime in its worker, on WebAssembly (as the benches compare), from a bench page. */
export function startBenchRuntime(): Promise<AppRuntime> {
  return AnalysisClient.start(
    runtimeUrls(''),
    { force: 'wasm', by: 'url' },
    () => new Worker(ANALYSIS_WORKER_PATH, { type: 'module', name: 'analysis' }),
  );
}
