/**
 * `pnpm bench`: the training bench (`pnpm bench:train`), then the browser bench (`pnpm bench:web`),
 * each with its defaults. Options belong to one of them, so they are given to that one directly.
 */
import { spawnSync } from 'node:child_process';

const USAGE = `Usage: pnpm bench

Runs pnpm bench:train (training and Node inference timings), then pnpm bench:web (the app in
headless Chromium), each with its defaults, and prints their markdown tables.

Each takes its own options; see pnpm bench:train --help and pnpm bench:web --help.`;

function main(args: readonly string[]): number {
  if (args.includes('--help') || args.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  if (args.length > 0) {
    console.error(`pnpm bench takes no options (got ${args.join(' ')}): pass them to pnpm bench:train or pnpm bench:web.`);
    return 2;
  }
  for (const script of ['bench:train', 'bench:web']) {
    const run = spawnSync('pnpm', ['run', '--silent', script], { stdio: 'inherit' });
    if (run.error !== undefined) throw run.error;
    if (run.status !== 0) return run.status ?? 1;
  }
  return 0;
}

process.exitCode = main(process.argv.slice(2));
