/**
 * The app's workers for the benches' pages, which esbuild bundles (vite builds the app's): served
 * at ANALYSIS_WORKER_PATH and SALIENCY_WORKER_PATH and started with `startBenchRuntime`.
 */
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { browserBundle } from '../tools/browserBundle';
import type { MemoryFile } from '../tools/staticServer';
import { ANALYSIS_WORKER_PATH, SALIENCY_WORKER_PATH } from './analysisWorkerPath';

const appDir = fileURLToPath(new URL('..', import.meta.url));

async function workerFile(source: string): Promise<MemoryFile> {
  const body = await browserBundle(join(appDir, 'src/lib/analysis', source), { alias: { $lib: join(appDir, 'src/lib') } });
  return { type: 'text/javascript', body };
}

/** Both workers, each bundled as one ES module, by the paths serveStatic serves them at. */
export async function analysisWorkerFiles(): Promise<Record<string, MemoryFile>> {
  return {
    [ANALYSIS_WORKER_PATH]: await workerFile('analysis.worker.ts'),
    [SALIENCY_WORKER_PATH]: await workerFile('saliency.worker.ts'),
  };
}
