import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { registerWasmGradientKernels } from '@fer/core/wasm-gradients';

/** The tfjs backends this app runs on. */
export type BackendName = 'webgl' | 'wasm';

/** Reads a `?backend=webgl|wasm` override (for a GPU driver that misbehaves, and for tests). */
export function backendOverride(search: string): BackendName | undefined {
  const value = new URLSearchParams(search).get('backend');
  return value === 'webgl' || value === 'wasm' ? value : undefined;
}

/**
 * Picks WebGL (GPU) where the browser offers it, else WebAssembly on the CPU; `only` restricts
 * the choice to one. The wasm binaries come from this origin (`wasmBase`, served by the app),
 * never from a CDN.
 */
export async function initBackend(wasmBase: string, only?: BackendName): Promise<BackendName> {
  // Threaded wasm needs cross-origin isolation (COOP/COEP headers) that static hosting can't promise.
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  setWasmPaths(wasmBase);
  // Saliency differentiates through the CNN; stock wasm lacks the conv filter-gradient kernel.
  registerWasmGradientKernels();
  for (const name of only === undefined ? (['webgl', 'wasm'] as const) : [only]) {
    try {
      if (await tf.setBackend(name)) {
        await tf.ready();
        return name;
      }
    } catch {
      // setBackend rejects when the backend fails to initialise; try the next one.
    }
  }
  throw new Error(
    only === undefined ? 'Neither WebGL nor WebAssembly is available in this browser.' : `The ${only} backend is not available in this browser.`,
  );
}
