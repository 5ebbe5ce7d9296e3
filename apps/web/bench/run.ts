/**
 * The browser benchmarks (`pnpm bench:web` from the repository root): runs each module of
 * bench/modules.ts in headless Chromium, writes one JSON file under <repo>/bench-results/ naming
 * the machine and browser, and prints each module's markdown summary.
 *
 *   node --import tsx apps/web/bench/run.ts [--seconds N] [--only NAME[,NAME]] [--out FILE]
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { defaultFerDir } from '../scripts/make-fake-camera';
import { machineInfo } from './machine';
import { BENCH_MODULES } from './modules';
import type { BenchContext } from './types';

const repoDir = fileURLToPath(new URL('../../..', import.meta.url));

function usage(): string {
  const modules = BENCH_MODULES.map((m) => `  ${m.name.padEnd(10)} ${m.description}`).join('\n');
  return [
    'Usage: pnpm bench:web [--seconds N] [--only NAME[,NAME]] [--out FILE]',
    '',
    'Measures the web app in headless Chromium (a fake camera of FER2013 faces) and prints markdown tables.',
    '',
    'Options:',
    '  --seconds N   seconds each measurement runs after its warm-up (default 10)',
    '  --only NAMES  run only these modules, comma-separated',
    '  --out FILE    results JSON (default bench-results/web-<time>.json)',
    '  -h, --help    show this help',
    '',
    'Modules:',
    modules,
    '',
    'Environment: FER_MODELS_DIR (default models/), FER2013_DIR, CHROMIUM_PATH.',
  ].join('\n');
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '10' },
      only: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(usage());
    return 0;
  }
  const seconds = Number(values.seconds);
  if (!(seconds > 0)) throw new Error(`--seconds must be a positive number, got ${values.seconds}`);
  const only = values.only?.split(',');
  const unknown = only?.filter((name) => !BENCH_MODULES.some((m) => m.name === name)) ?? [];
  if (unknown.length > 0) throw new Error(`unknown bench module(s) ${unknown.join(', ')}; known: ${BENCH_MODULES.map((m) => m.name).join(', ')}`);

  const loadAtStart = loadavg()[0] ?? 0;
  const tmp = mkdtempSync(join(tmpdir(), 'fer-bench-web-'));
  const context: BenchContext = {
    ferDir: defaultFerDir(),
    modelsDir: process.env.FER_MODELS_DIR ?? join(repoDir, 'models'),
    tmp,
    seconds,
    log: (message) => console.error(message),
  };
  const results: Record<string, unknown> = {};
  const skipped: Record<string, string> = {};
  const reports: string[] = [];
  try {
    for (const module of BENCH_MODULES.filter((m) => only?.includes(m.name) ?? true)) {
      const reason = module.skipReason(context);
      if (reason !== undefined) {
        console.error(`${module.name}: skipped: ${reason}`);
        skipped[module.name] = reason;
        continue;
      }
      const result = await module.run(context);
      results[module.name] = result;
      reports.push(`## ${module.name}: ${module.description}\n\n${module.markdown(result)}`);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }

  const out = resolve(values.out ?? join(repoDir, 'bench-results', `web-${new Date().toISOString().replace(/[:.]/g, '-')}.json`));
  mkdirSync(dirname(out), { recursive: true });
  const machine = { ...machineInfo(), loadAverage: { start: loadAtStart, end: loadavg()[0] ?? 0 } };
  writeFileSync(out, `${JSON.stringify({ date: new Date().toISOString(), machine, results, skipped }, null, 2)}\n`);
  console.log(
    `# Browser bench\n\nMachine: ${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB} GiB; ${machine.browser}; Node ${machine.node}; load average ${machine.loadAverage.start.toFixed(1)} -> ${machine.loadAverage.end.toFixed(1)}\n`,
  );
  console.log(reports.join('\n\n'));
  console.log(`\nResults: ${out}`);
  return 0;
}

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    console.error('Run with --help for the options.');
    process.exitCode = 1;
  },
);
