import { execFileSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { chromiumPath } from '../test/helpers/chromium.js';

/** Where a benchmark ran: results from different machines or browsers are not comparable. */
export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  platform: string;
  node: string;
  browser: string;
  /** 1-minute load average when the run started and ended: other work on the machine skews timings. */
  loadAverage?: { start: number; end: number };
}

/** Describes this machine and the Chromium the benches drive. */
export function machineInfo(): MachineInfo {
  let browser: string;
  try {
    // stderr ignored: Debian's wrapper script prints shell noise there.
    browser = execFileSync(chromiumPath, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch (error) {
    browser = `unknown (${chromiumPath}: ${(error as Error).message.split('\n')[0]})`;
  }
  const cpu = cpus();
  return {
    cpuModel: cpu[0]?.model.trim() ?? 'unknown',
    cores: cpu.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    platform: `${process.platform} ${process.arch}`,
    node: process.version,
    browser,
  };
}
