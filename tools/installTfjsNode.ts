/**
 * Root postinstall: builds the optional `@tensorflow/tfjs-node` (training's fast backend) and says
 * in one line what happened. Its own install script downloads libtensorflow from
 * storage.googleapis.com; where that host cannot be reached the script dies with a stack trace,
 * which pnpm would print in full. pnpm-workspace.yaml therefore leaves the script to this wrapper
 * (ignoredBuiltDependencies), which runs it with its output captured. The install never fails
 * because of it: training falls back to the wasm backend and says so.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package that depends on tfjs-node: resolving from it finds pnpm's copy. */
const TRAIN_DIR = fileURLToPath(new URL('../packages/train/', import.meta.url));
/** libtensorflow is ~100 MB; a slow connection gets this long before the wasm fallback is taken. */
const DOWNLOAD_TIMEOUT_MS = 15 * 60_000;

/** Whether tfjs-node's native addon loads (a fresh process: a failed load cannot be retried in this one). */
function loads(): boolean {
  return spawnSync(process.execPath, ['-e', "require('@tensorflow/tfjs-node')"], { cwd: TRAIN_DIR, stdio: 'ignore' }).status === 0;
}

/** The line of a failed install that says why: the first error line, else the last line. */
function reason(output: string): string {
  const lines = output
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  return lines.find((line) => /^(\w*Error|error)\b/.test(line)) ?? lines.at(-1) ?? 'no output';
}

function main(): string {
  let packageDir: string;
  try {
    packageDir = dirname(createRequire(TRAIN_DIR).resolve('@tensorflow/tfjs-node/package.json'));
  } catch {
    return 'tfjs-node: not installed (optional, not available for this platform); training will use the wasm backend.';
  }
  if (loads()) return 'tfjs-node: ready; training runs on native TensorFlow.';
  console.log('tfjs-node: downloading libtensorflow for the native training backend (optional)...');
  const run = spawnSync(process.execPath, ['scripts/install.js'], { cwd: packageDir, encoding: 'utf8', timeout: DOWNLOAD_TIMEOUT_MS });
  if (run.status === 0 && loads()) return 'tfjs-node: ready; training runs on native TensorFlow.';
  const why = run.error?.message ?? reason(`${run.stderr}\n${run.stdout}`);
  return `tfjs-node: not built (${why}). Optional: training will use the slower wasm backend; everything else works. To retry: pnpm install, with access to storage.googleapis.com.`;
}

console.log(main());
