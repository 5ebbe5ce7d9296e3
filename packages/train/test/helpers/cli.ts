import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));

/** How a CLI run ended. */
export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** True when the run outlived its time bound and was killed: a hang. */
  timedOut: boolean;
  seconds: number;
}

/**
 * Runs the `fer` CLI as the root package.json does, killing it (SIGKILL) after `limitMs`, so a hang
 * fails the test instead of stalling the suite. `env` adds to the environment; `onStderr` may kill it.
 */
export function runCli(
  args: string[],
  options: { limitMs: number; env?: Record<string, string>; cwd?: string; onStderr?: (text: string, kill: (signal: NodeJS.Signals) => void) => void },
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['--import', 'tsx', cli, ...args], {
      env: { ...process.env, FORCE_COLOR: '0', ...options.env },
      cwd: options.cwd,
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.limitMs);
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      options.onStderr?.(stderr, (signal) => child.kill(signal));
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut, seconds: (performance.now() - started) / 1000 });
    });
  });
}
