import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

const require = createRequire(import.meta.url);
const href = (specifier: string) => pathToFileURL(require.resolve(specifier)).href;

/**
 * `execArgv` that lets a child process run this package's TypeScript sources: tsx's loader,
 * resolved from here (by URL), so it works from any working directory and under test runners.
 */
export const TSX_EXEC_ARGV = ['--import', href('tsx')];

/**
 * A worker thread running a TypeScript module. Node 20 does not apply `--import` loaders to a
 * worker's entry module, so a tiny bootstrap registers tsx's ESM hooks inside the worker first.
 */
export function typeScriptWorker(module: URL, options: Omit<WorkerOptions, 'eval'>): Worker {
  // The ESM build of tsx's register API (its CommonJS build cannot be imported from a data: module).
  const api = new URL('dist/esm/api/index.mjs', href('tsx/package.json')).href;
  const bootstrap = `import(${JSON.stringify(api)})
    .then(({ register }) => { register(); return import(${JSON.stringify(module.href)}); })`;
  return new Worker(bootstrap, { ...options, eval: true });
}
