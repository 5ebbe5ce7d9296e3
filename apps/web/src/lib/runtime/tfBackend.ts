/**
 * Starts the tfjs backend inside the analysis worker: the one the page forces, the one remembered
 * for this device, or the fastest of the usable candidates on a warm batch (see backendChoice.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { registerWasmGradientKernels } from '@fer/core/wasm-gradients';
import {
  fastest,
  isSoftwareRenderer,
  sameDevice,
  type BackendName,
  type BackendReport,
  type BackendRequest,
  type DeviceProfile,
} from './backendChoice';

/** Faces in the timed batch: several, as audience mode sends, few enough to stay short on a slow candidate. */
const BATCH_FACES = 2;
/** Timed runs after the warm-up one. */
const TIMED_RUNS = 2;

/** The WebGL renderer's name, read from a throw-away context; undefined without WebGL. */
function webglRenderer(): string | undefined {
  if (typeof OffscreenCanvas === 'undefined') return undefined;
  const gl = new OffscreenCanvas(1, 1).getContext('webgl2') ?? new OffscreenCanvas(1, 1).getContext('webgl');
  if (gl === null) return undefined;
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  // Browsers without the extension (or hiding it) give a generic name through RENDERER.
  const renderer = String(gl.getParameter(info === null ? gl.RENDERER : info.UNMASKED_RENDERER_WEBGL));
  gl.getExtension('WEBGL_lose_context')?.loseContext();
  return renderer;
}

/** This device as far as backend speed goes. */
export function deviceProfile(): DeviceProfile {
  return {
    userAgent: navigator.userAgent,
    renderer: webglRenderer(),
    cores: navigator.hardwareConcurrency,
    isolated: globalThis.crossOriginIsolated,
  };
}

/** Why WebGPU can't be a candidate here, or undefined when it can (its backend then registered). */
async function webgpuProblem(): Promise<string | undefined> {
  if (!('gpu' in navigator)) return 'not offered by this browser';
  const adapter = await navigator.gpu.requestAdapter().catch(() => null);
  if (adapter === null) return 'no GPU adapter';
  // `info.isFallbackAdapter` replaced `isFallbackAdapter` (Chrome 121); the bundled types predate it.
  const info = (adapter as GPUAdapter & { info?: { isFallbackAdapter?: boolean } }).info;
  if (info?.isFallbackAdapter ?? adapter.isFallbackAdapter) return 'the adapter is a software fallback';
  await import('@tensorflow/tfjs-backend-webgpu');
  return undefined;
}

/**
 * Threads for tfjs's threaded WebAssembly (used when the page is cross-origin isolated), as
 * `wasmThreads` shares the cores out. tfjs 4.22's binary caps its thread pool at
 * navigator.hardwareConcurrency / 2, taking every logical core for a hyperthread pair (ARM phones
 * have none); its threaded build reads that figure once, when the backend starts, so this worker
 * reports it doubled, and the cap becomes every core.
 */
function useThreads(threads: number, cores: number): void {
  Object.defineProperty(navigator, 'hardwareConcurrency', { configurable: true, get: () => cores * 2 });
  setThreadsCount(threads);
}

/** Switches tfjs to `name`; false when it fails to start. */
async function use(name: BackendName): Promise<boolean> {
  try {
    if (name === 'webgpu' && (await webgpuProblem()) !== undefined) return false;
    if (!(await tf.setBackend(name))) return false;
    await tf.ready();
    return true;
  } catch {
    // setBackend rejects when the backend fails to initialise.
    return false;
  }
}

/** Warm milliseconds per face of `classify` on the current backend. */
async function timeBatch(classify: (faces: tf.Tensor4D) => Promise<unknown>, height: number, width: number): Promise<number> {
  const faces = tf.randomUniform<tf.Rank.R4>([BATCH_FACES, height, width, 1], 0, 255);
  try {
    await classify(faces); // compiles shaders, fills caches
    const start = performance.now();
    for (let i = 0; i < TIMED_RUNS; i++) await classify(faces);
    return (performance.now() - start) / TIMED_RUNS / BATCH_FACES;
  } finally {
    faces.dispose();
  }
}

/** A model on one backend, as `startBackend` builds and times it. */
export interface Candidate<M> {
  load(): Promise<M>;
  classify(model: M, faces: tf.Tensor4D): Promise<unknown>;
  dispose(model: M): void;
  /** The model's input height and width. */
  inputSize(model: M): [height: number, width: number];
}

/** The backend started, how it was chosen, and the model loaded on it. */
export interface StartedBackend<M> {
  /** Of this worker's backend; the saliency worker's threads are the runtime's to add (see `loadRuntime`). */
  report: Omit<BackendReport, 'saliencyThreads'>;
  model: M;
}

/**
 * Starts a backend for `request` and loads the model on it. A forced backend that fails is an
 * error; a remembered one that fails (a new driver) is measured again. Measuring: WebGPU where an
 * adapter exists, WebGL unless its renderer is software, and WebAssembly are each started, the
 * model loaded and a warm batch timed; the fastest keeps its model. WebAssembly gets `threads(cores)`
 * threads (see `wasmThreads`).
 */
export async function startBackend<M>(
  wasmBase: string,
  request: BackendRequest,
  candidate: Candidate<M>,
  threads: (cores: number) => number,
): Promise<StartedBackend<M>> {
  setWasmPaths(wasmBase);
  const device = deviceProfile();
  useThreads(threads(device.cores), device.cores);
  // Saliency differentiates through the CNN; stock wasm lacks the conv filter-gradient kernel.
  registerWasmGradientKernels();
  const finish = async (
    name: BackendName,
    how: BackendReport['how'],
    model: M,
    timings: BackendReport['timings'],
    skipped: BackendReport['skipped'],
  ) => {
    const wasm = name === 'wasm';
    const simd = wasm && Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
    const threaded = wasm && Boolean(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'));
    const report = { name, how, timings, skipped, device, threads: wasm ? getThreadsCount() : 1, simd, threaded };
    return { report, model };
  };

  if ('force' in request) {
    if (!(await use(request.force))) throw new Error(`The ${request.force} backend is not available in this browser.`);
    return finish(request.force, request.by, await candidate.load(), {}, {});
  }
  const remembered = request.remembered;
  if (remembered !== undefined && sameDevice(remembered.device, device) && (await use(remembered.name))) {
    return finish(remembered.name, 'remembered', await candidate.load(), remembered.timings, remembered.skipped);
  }

  const skipped: BackendReport['skipped'] = {};
  const timings: BackendReport['timings'] = {};
  const webgpu = await webgpuProblem();
  if (webgpu !== undefined) skipped.webgpu = webgpu;
  if (device.renderer === undefined) skipped.webgl = 'not offered by this browser';
  else if (isSoftwareRenderer(device.renderer)) skipped.webgl = `a software renderer (${device.renderer}), not a GPU`;

  let best: { name: BackendName; model: M } | undefined;
  for (const name of ['webgpu', 'webgl', 'wasm'] as const) {
    if (skipped[name] !== undefined) continue;
    if (!(await use(name))) {
      skipped[name] = 'failed to start';
      continue;
    }
    const model = await candidate.load();
    timings[name] = await timeBatch((faces) => candidate.classify(model, faces), ...candidate.inputSize(model));
    if (best === undefined || fastest(timings) === name) {
      if (best !== undefined) candidate.dispose(best.model);
      best = { name, model };
    } else {
      candidate.dispose(model);
    }
  }
  if (best === undefined) throw new Error('Neither WebGL nor WebAssembly is available in this browser.');
  // The model's tensors live on the backend they were made on; run there.
  await use(best.name);
  return finish(best.name, 'measured', best.model, timings, skipped);
}
