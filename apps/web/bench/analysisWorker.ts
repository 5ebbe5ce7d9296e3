/**
 * The app's analysis worker for the benches' pages, which esbuild bundles (vite builds the app's):
 * served at ANALYSIS_WORKER_PATH and started with `startBenchRuntime`.
 */
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { browserBundle } from '../tools/browserBundle';
import type { MemoryFile } from '../tools/staticServer';

export { ANALYSIS_WORKER_PATH } from './analysisWorkerPath';

const appDir = fileURLToPath(new URL('..', import.meta.url));

/** The worker bundled as one ES module, for serveStatic. */
export async function analysisWorkerFile(): Promise<MemoryFile> {
  const body = await browserBundle(join(appDir, 'src/lib/analysis/analysis.worker.ts'), { alias: { $lib: join(appDir, 'src/lib') } });
  return { type: 'text/javascript', body };
}
