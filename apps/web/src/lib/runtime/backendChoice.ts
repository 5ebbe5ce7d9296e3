/**
 * Which tfjs backend runs the model, chosen by measurement: a WebGL that is a software renderer
 * (SwiftShader, llvmpipe: virtual machines, remote desktops, blocklisted drivers) is no GPU, and
 * there tfjs took seconds per face where WebAssembly took tens of milliseconds. So the worker
 * times a warm batch on each usable candidate at first start, and the page remembers the winner
 * per device. Pure functions here; the measuring is in tfBackend.ts.
 */

/** The tfjs backends this app can run on. */
export type BackendName = 'webgpu' | 'webgl' | 'wasm';

export const BACKEND_NAMES: readonly BackendName[] = ['webgpu', 'webgl', 'wasm'];

/** Reads a `?backend=webgpu|webgl|wasm` override (for a GPU driver that misbehaves, and for tests). */
export function backendOverride(search: string): BackendName | undefined {
  const value = new URLSearchParams(search).get('backend');
  return BACKEND_NAMES.find((name) => name === value);
}

/** What the device is, as far as backend speed goes: a remembered choice holds only for the same. */
export interface DeviceProfile {
  userAgent: string;
  /** The WebGL renderer's name (WEBGL_debug_renderer_info), or undefined without WebGL. */
  renderer: string | undefined;
  cores: number;
  /** Cross-origin isolated: WebAssembly can use threads. */
  isolated: boolean;
}

/** A measured choice, kept per device (localStorage) so the measurement runs once. */
export interface RememberedChoice {
  name: BackendName;
  device: DeviceProfile;
  /** Warm ms per face measured on each candidate. */
  timings: Partial<Record<BackendName, number>>;
  skipped: Partial<Record<BackendName, string>>;
}

/** What the page asks the worker for: a forced backend, or a choice (remembered, else measured). */
export type BackendRequest = { force: BackendName; by: 'url' | 'user' } | { remembered: RememberedChoice | undefined };

/** How the running backend was chosen, for the UI and the bench. */
export interface BackendReport {
  name: BackendName;
  how: 'measured' | 'remembered' | 'url' | 'user';
  timings: Partial<Record<BackendName, number>>;
  /** Candidates not timed, and why (no adapter, software renderer, failed to start). */
  skipped: Partial<Record<BackendName, string>>;
  device: DeviceProfile;
  /** The analysis worker's WebAssembly threads (1 when not isolated, or on another backend); see `wasmThreads`. */
  threads: number;
  /** The saliency worker's, likewise; 0 on a page without one. */
  saliencyThreads: number;
  /** tfjs runs its threaded WebAssembly build (the page is cross-origin isolated, so threads are possible). */
  threaded: boolean;
  simd: boolean;
}

/** The app's two workers that run tfjs: frames in one, saliency maps beside them in the other. */
export type TfWorker = 'analysis' | 'saliency';

/** tfjs's threaded build starts 8 workers; XNNPACK gains little past 4 threads on a phone's cores. */
const MAX_WASM_THREADS = 4;

/**
 * WebAssembly threads of a worker where the page is cross-origin isolated (one each otherwise).
 * Beside a saliency worker, that one gets one core and the frames the others (up to 4), so the two
 * never compete for a core: a 2-core device runs one thread in each, as measured there (`pnpm
 * bench:web`) a second thread gained the frames nothing (the CNN is small) and made them wait
 * whenever a map was computed. Without one (audience mode shows no maps), frames get every core.
 */
export function wasmThreads(cores: number, worker: TfWorker, besideSaliencyWorker = true): number {
  if (worker === 'saliency') return 1;
  return Math.max(1, Math.min(besideSaliencyWorker ? cores - 1 : cores, MAX_WASM_THREADS));
}

/** Renderer names of WebGL implemented on the CPU. */
const SOFTWARE_RENDERER = /swiftshader|llvmpipe|softpipe|software|microsoft basic render/i;

export function isSoftwareRenderer(renderer: string | undefined): boolean {
  return renderer !== undefined && SOFTWARE_RENDERER.test(renderer);
}

export function sameDevice(a: DeviceProfile, b: DeviceProfile): boolean {
  return a.userAgent === b.userAgent && a.renderer === b.renderer && a.cores === b.cores && a.isolated === b.isolated;
}

/** The fastest measured backend, or undefined when none was measured. */
export function fastest(timings: Partial<Record<BackendName, number>>): BackendName | undefined {
  let best: BackendName | undefined;
  for (const name of BACKEND_NAMES) {
    const ms = timings[name];
    if (ms !== undefined && (best === undefined || ms < (timings[best] as number))) best = name;
  }
  return best;
}

const LABEL: Record<BackendName, string> = {
  webgpu: 'the GPU (WebGPU)',
  webgl: 'the GPU (WebGL)',
  wasm: 'the CPU (WebAssembly)',
};

/** Where the model runs, in words: "the CPU (WebAssembly, SIMD, 2 threads + 1 for saliency maps)". */
export function backendLabel(report: Pick<BackendReport, 'name' | 'threads' | 'saliencyThreads' | 'simd'>): string {
  if (report.name !== 'wasm') return LABEL[report.name];
  const saliency = report.saliencyThreads > 0 ? ` + ${report.saliencyThreads} for saliency maps` : '';
  const threads = `${report.threads} thread${report.threads === 1 ? '' : 's'}${saliency}`;
  return `the CPU (WebAssembly, ${report.simd ? 'SIMD, ' : ''}${threads})`;
}

const ms = (value: number) => `${value < 10 ? value.toFixed(1) : Math.round(value)} ms`;

/** Why this backend, in one sentence: the measurement, the skipped candidates, or the override. */
export function backendReason(report: BackendReport): string {
  if (report.how === 'url') return 'Chosen by the ?backend= address parameter.';
  if (report.how === 'user') return 'Chosen by you in Settings.';
  const measured = BACKEND_NAMES.filter((name) => report.timings[name] !== undefined).map(
    (name) => `${LABEL[name]} ${ms(report.timings[name] as number)}`,
  );
  const skipped = BACKEND_NAMES.filter((name) => report.skipped[name] !== undefined).map((name) => `${LABEL[name]}: ${report.skipped[name]}`);
  const parts = [
    measured.length > 0 ? `Fastest measured per face: ${measured.join(', ')}.` : '',
    skipped.length > 0 ? `Not used: ${skipped.join('; ')}.` : '',
    report.how === 'remembered' ? 'Measured on an earlier visit on this device.' : '',
  ];
  return parts.filter(Boolean).join(' ');
}
