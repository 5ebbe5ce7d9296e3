import { build, type BuildOptions } from 'esbuild';

/**
 * Bundles a TypeScript entry for a page in Chromium (benches, browser tests): one file, ES2022,
 * returned as text for a test server to serve. `options` adds e.g. aliases or an IIFE global name.
 */
export async function browserBundle(entry: string, options: Pick<BuildOptions, 'alias' | 'format' | 'globalName'> = {}): Promise<string> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'error',
    ...options,
  });
  const text = result.outputFiles[0]?.text;
  if (text === undefined) throw new Error(`esbuild produced no bundle for ${entry}`);
  return text;
}
