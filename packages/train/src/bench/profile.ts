import * as tf from '@tensorflow/tfjs';

export interface KernelShare {
  kernel: string;
  calls: number;
  ms: number;
  /** Fraction of the profiled step's wall time. */
  share: number;
}

export interface StepProfile {
  /** Wall time of the profiled step (profiling itself adds a little). */
  stepMs: number;
  /** Time inside top-level kernels; the rest of stepMs is JavaScript between kernels. */
  kernelMs: number;
  top: KernelShare[];
  /** Kernel time of the kernel types beyond `top`. */
  otherKernelsMs: number;
}

type KernelEntry = Awaited<ReturnType<typeof tf.profile>>['kernels'][number];

/**
 * Profiles one call of `step` and totals kernel time per kernel type, largest first. Only
 * top-level kernels count, each with its inclusive time: our replacement kernels (the conv
 * gradients, Tile) run other kernels inside them, which tf.profile lists as well, so summing
 * every entry would count that time twice. Profile entries carry no nesting depth, so the
 * engine's kernelDepth is read as each entry is recorded (it is 0 outside any kernel).
 */
export async function profileStep(step: () => Promise<unknown>, top = 10): Promise<StepProfile> {
  const engine = tf.engine();
  const topLevel = new Set<KernelEntry>();
  let stepMs = 0;
  const info = await tf.profile(async () => {
    const kernels = engine.state.activeProfile.kernels;
    const push = kernels.push.bind(kernels);
    kernels.push = (...entries: KernelEntry[]) => {
      if (engine.state.kernelDepth === 0) entries.forEach((entry) => topLevel.add(entry));
      return push(...entries);
    };
    const start = performance.now();
    await step();
    stepMs = performance.now() - start;
  });
  const totals = new Map<string, { calls: number; ms: number }>();
  for (const entry of info.kernels) {
    if (!topLevel.has(entry)) continue;
    const ms = typeof entry.kernelTimeMs === 'number' ? entry.kernelTimeMs : 0;
    const total = totals.get(entry.name) ?? { calls: 0, ms: 0 };
    totals.set(entry.name, { calls: total.calls + 1, ms: total.ms + ms });
  }
  const ranked = [...totals].map(([kernel, t]) => ({ kernel, calls: t.calls, ms: t.ms, share: t.ms / stepMs })).sort((a, b) => b.ms - a.ms);
  const kernelMs = ranked.reduce((sum, k) => sum + k.ms, 0);
  const shown = ranked.slice(0, top);
  return { stepMs, kernelMs, top: shown, otherKernelsMs: kernelMs - shown.reduce((sum, k) => sum + k.ms, 0) };
}
