import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { BENCH_URLS } from './adapter';

/** tfjs's WebAssembly backend on the bench page, for the peers (the app runs its own in its worker). */
export async function useWasmBackend(): Promise<string> {
  setWasmPaths(BENCH_URLS.tfjsWasm);
  if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend is not available');
  await tf.ready();
  return 'wasm';
}
