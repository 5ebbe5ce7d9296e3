import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { tinyArtifacts } from '../../core/test/tinyArtifacts.js';
import type { TrainResult } from '../src/bench/jobs.js';
import type { BenchReport } from '../src/commands/bench.js';

const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'fer-bench-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// Asymmetric matchers are typed `any`; held as unknown they cannot leak into typed code.
const anyString: unknown = expect.any(String);
const wasmDescription: unknown = expect.stringMatching(/^wasm/);
const positive: unknown = expect.toSatisfy((n: unknown) => typeof n === 'number' && Number.isFinite(n) && n > 0);

function expectTiming(timing: unknown, batch: number, samples: number): void {
  expect(timing).toEqual({
    batch,
    msPerBatch: { median: positive, min: positive },
    msPerImage: { median: positive, min: positive },
    imagesPerSecond: { median: positive, max: positive },
    samplesMs: Array.from({ length: samples }, () => positive),
  });
}

describe('fer bench', () => {
  // No timing thresholds: this machine's load makes any bound flaky. Structure and sanity only.
  it('times training on each backend, profiles a step, times inference and writes JSON', async () => {
    const models = join(work, 'models');
    for (const [path, bytes] of (await tinyArtifacts()).files) {
      mkdirSync(dirname(join(models, path)), { recursive: true });
      writeFileSync(join(models, path), bytes);
    }
    const out = join(work, 'bench.json');
    const run = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', cli, 'bench', '--preset', 'quick', '--steps', '2', '--models', models, '--out', out],
      { env: { ...process.env, FORCE_COLOR: '0' } },
    );
    expect(run.stdout).toContain('| configuration | backend |');

    const report = JSON.parse(readFileSync(out, 'utf8')) as BenchReport;
    expect(report.machine).toMatchObject({ cpu: anyString, cores: positive, totalMemoryBytes: positive, node: process.version });
    expect(report.machine.loadAverage.start).toHaveLength(3);
    expect(report.versions.tfjs).toMatch(/^\d+\.\d+\.\d+/);
    expect(report.config).toMatchObject({ preset: 'quick', batchSize: 64, input: [48, 48, 1], warmupSteps: 2, timedSteps: 2 });

    const available = (result: TrainResult, key: string) => {
      if (!result.available) throw new Error(`${key} did not run: ${result.reason}`);
      return result;
    };
    const stock = available(report.training['wasm-stock'], 'wasm-stock');
    const patched = available(report.training['wasm-patched'], 'wasm-patched');
    const node = report.training['tfjs-node'];
    expect(stock.stockTrainingError).toMatch(/Conv2DBackpropFilter/);
    for (const key of ['wasm-stock', 'wasm-conv-kernels', 'wasm-patched', 'wasm-patched-2'] as const) {
      const result = available(report.training[key], key);
      expect(result.backend).toEqual({ name: 'wasm', description: wasmDescription });
      expect(result.replicas).toBe(key === 'wasm-patched-2' ? 2 : 1);
      expectTiming(result.timing, 64, 2);
    }
    expect(available(report.training['wasm-conv-kernels'], 'wasm-conv-kernels').stockTrainingError).toBeUndefined();
    // tfjs-node needs libtensorflow, which cannot be downloaded everywhere: either measured or explained.
    if (node.available) expectTiming(node.timing, 64, 2);
    else expect(node.reason).toMatch(/tfjs-node/);
    for (const ratio of ['patchedOverStockWasm', 'patchedOverConvKernels', 'twoThreadsOverOne', 'trainOverConvKernels']) {
      expect(report.speedups[ratio as keyof BenchReport['speedups']], ratio).toEqual({ median: positive, best: positive });
    }

    const profile = patched.profile;
    if (profile === undefined) throw new Error('wasm-patched has no step profile');
    expect(profile.stepMs).toEqual(positive);
    expect(profile.kernelMs).toBeLessThanOrEqual(profile.stepMs);
    expect(profile.top.length).toBeGreaterThan(0);
    expect(profile.top.length).toBeLessThanOrEqual(10);
    for (const k of profile.top) expect(k).toEqual({ kernel: anyString, calls: positive, ms: positive, share: positive });
    expect(profile.top.map((k) => k.kernel)).toContain('Conv2DBackpropFilter');

    const { inference } = report;
    if (!inference.available) throw new Error(`inference did not run: ${inference.reason}`);
    expect(inference.timings).toHaveLength(2);
    expectTiming(inference.timings[0], 1, 6);
    expectTiming(inference.timings[1], 64, 6);
  }, 240_000);
});
