/**
 * Picks the tfjs backend training runs on. tfjs-node (native libtensorflow) is the fast path but its
 * install downloads libtensorflow from outside npm and fails where that is blocked, so training
 * falls back to the wasm backend (XNNPACK, SIMD, one thread in Node) with our conv-gradient kernels.
 * The pure-JS 'cpu' backend is never used: it is ~100x slower than wasm for a conv net.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { cpus } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { registerWasmGradientKernels } from '@fer/core/wasm-gradients';

/** What training runs on, so logs and exported training configs can say so. */
export type BackendInfo = {
  name: 'tensorflow' | 'wasm';
  /** One line for humans; when 'auto' fell back to wasm it includes why tfjs-node did not load. */
  description: string;
  threads: number;
  simd: boolean;
};

export type BackendPreference = 'auto' | 'node' | 'wasm';

// A variable specifier keeps TypeScript and bundlers from requiring the optional native package.
const TFJS_NODE = '@tensorflow/tfjs-node';

/** Shortens tfjs-node's multi-line load error to one line a user can act on. */
function shortReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/tfjs_binding\.node/.test(message)) {
    return 'its native addon (tfjs_binding.node) is missing: libtensorflow was not downloaded at install';
  }
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
    return `${TFJS_NODE} is not installed`;
  }
  const firstLine = message.split('\n')[0]?.trim() ?? '';
  return firstLine.length > 160 ? `${firstLine.slice(0, 157)}...` : firstLine;
}

async function tryNode(): Promise<BackendInfo> {
  await import(TFJS_NODE);
  if (!(await tf.setBackend('tensorflow')) || tf.getBackend() !== 'tensorflow') {
    throw new Error(`${TFJS_NODE} loaded but its 'tensorflow' backend did not initialise`);
  }
  const threads = cpus().length;
  return {
    name: 'tensorflow',
    description: `tfjs-node (native libtensorflow, up to ${threads} threads)`,
    threads,
    // The prebuilt libtensorflow CPU binaries are compiled with AVX.
    simd: true,
  };
}

let wasmPathsSet = false;

async function tryWasm(): Promise<BackendInfo> {
  if (!wasmPathsSet) {
    // Point the loader at the package's own dist folder: relying on the bundle's __dirname breaks
    // when the code is bundled or run through a loader that relocates it.
    const entry = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm');
    setWasmPaths(`${dirname(entry)}/`);
    wasmPathsSet = true;
  }
  registerWasmGradientKernels();
  if (!(await tf.setBackend('wasm')) || tf.getBackend() !== 'wasm') {
    throw new Error("the 'wasm' backend did not initialise (its .wasm binary could not be loaded)");
  }
  const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
  const threads = getThreadsCount();
  return {
    name: 'wasm',
    description: `wasm (XNNPACK${simd ? ', SIMD' : ''}, ${threads} thread${threads === 1 ? '' : 's'})`,
    threads,
    simd,
  };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The backend this thread runs, as a preference for worker threads that must run the same one. */
export function runningBackend(): Exclude<BackendPreference, 'auto'> {
  return tf.getBackend() === 'tensorflow' ? 'node' : 'wasm';
}

/**
 * Selects and initialises the training backend, preferring tfjs-node, then wasm, and never the
 * pure-JS 'cpu' backend (too slow to train a CNN). Throws when no allowed backend loads, rather
 * than silently training for days.
 */
export async function selectTrainingBackend(options?: { prefer?: BackendPreference }): Promise<BackendInfo> {
  const prefer = options?.prefer ?? 'auto';
  if (prefer === 'node') {
    try {
      return await tryNode();
    } catch (error) {
      throw new Error(`Cannot train on tfjs-node: ${shortReason(error)}`, { cause: error });
    }
  }
  if (prefer === 'wasm') {
    try {
      return await tryWasm();
    } catch (error) {
      throw new Error(`Cannot train on wasm: ${errorMessage(error)}`, { cause: error });
    }
  }
  let nodeReason: string;
  try {
    return await tryNode();
  } catch (error) {
    nodeReason = shortReason(error);
  }
  try {
    const info = await tryWasm();
    return { ...info, description: `${info.description}; tfjs-node unavailable: ${nodeReason}` };
  } catch (error) {
    throw new Error(
      `No training backend available: tfjs-node failed (${nodeReason}) and wasm failed ` +
        `(${errorMessage(error)}). The pure-JS 'cpu' backend is too slow to train on.`,
      { cause: error },
    );
  }
}
