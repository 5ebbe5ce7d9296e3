/**
 * Builds the app once for every end-to-end file and serves it with `vite preview`: a build takes
 * a minute on two cores, and each file only needs the origin.
 */
import { execFileSync } from 'node:child_process';
import { preview } from 'vite';
import type { TestProject } from 'vitest/node';
import { appDir, e2eSkipReason, modelsDir } from '../helpers/e2eApp';

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  if (e2eSkipReason !== undefined) {
    console.warn(`e2e: skipped: ${e2eSkipReason}`);
    project.provide('appOrigin', '');
    return undefined;
  }
  // NODE_ENV: vitest sets 'test', which would make a development build (no service worker).
  const env = { ...process.env, FER_MODELS_DIR: modelsDir, NODE_ENV: 'production' };
  execFileSync('pnpm', ['exec', 'vite', 'build', '--logLevel', 'warn'], { cwd: appDir, env, stdio: 'pipe' });
  const server = await preview({ root: appDir, logLevel: 'silent', preview: { port: 0, open: false } });
  const url = server.resolvedUrls?.local[0];
  if (url === undefined) throw new Error('vite preview did not report its URL');
  project.provide('appOrigin', new URL(url).origin);
  return () => server.close();
}
