import { readFileSync } from 'node:fs';

/**
 * Whether a process with this id runs on this machine. `kill(pid, 0)` sends nothing: it fails with
 * ESRCH when there is no such process, and with EPERM when there is one we may not signal (alive).
 */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * When the process started, in clock ticks since boot (field 22 of /proc/<pid>/stat), or undefined
 * where /proc is not available (macOS, Windows). Recorded with a pid, it tells a live process from a
 * later one that was given the same pid.
 */
export function processStartTicks(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may itself hold spaces or parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19];
  } catch {
    return undefined;
  }
}

/**
 * For the fault-injection tests only: `FER_FAULT_KILL=<point>#<n>` makes this process SIGKILL itself
 * the n-th time it reaches `point` (a real SIGKILL: no handler, no cleanup, exactly what a crash or the
 * OOM killer does). Unset, this is one string comparison.
 */
const faultCounts = new Map<string, number>();
export function faultPoint(point: string): void {
  const wanted = process.env.FER_FAULT_KILL;
  if (wanted === undefined || !wanted.startsWith(`${point}#`)) return;
  const count = (faultCounts.get(point) ?? 0) + 1;
  faultCounts.set(point, count);
  if (count === Number(wanted.slice(point.length + 1))) process.kill(process.pid, 'SIGKILL');
}
