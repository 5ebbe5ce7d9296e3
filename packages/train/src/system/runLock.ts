/**
 * Locks on folders (a training run's --run, an export's --out), so that two `fer` processes never
 * write the same one: the second is told who holds it and stops.
 *
 * Written here rather than taken from npm: `proper-lockfile`, the well-kept candidate, decides that a
 * lock is stale from its mtime, which the holder refreshes on a timer. This CLI blocks its event loop
 * for minutes at a time (the SVM solver never yields), so the timer would not fire, a second process
 * would find the lock "stale" and take over a live run; and it records no holder to name. Here the
 * lock file holds the holder's pid, host, process start time and command, and a lock is stale only
 * when that process is gone (checked on this host with kill(pid, 0) plus the start time, which tells
 * a reused pid apart). A lock from another host cannot be checked, so it is never taken over.
 *
 * The lock is the file `<folder>.lock` beside the folder (an export replaces its folder by renames, so
 * the lock cannot live inside). It is created complete and atomically: written to a temporary name,
 * then hard-linked to the lock name, which fails if it exists. It is removed when the process exits
 * normally; after a kill, the next process finds its holder gone and takes it over, saying so.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import { link, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import { makeDirectory } from './fsAtomic.js';
import { isProcessAlive, processStartTicks } from './processes.js';

/** Who holds a lock, as written in the lock file. */
export interface LockHolder {
  pid: number;
  host: string;
  /** ISO date the lock was taken. */
  startedAt: string;
  command: string;
  /** The holder's start time in clock ticks since boot (Linux), to tell a reused pid apart. */
  startTicks?: string;
  /** Tells this process's own lock files apart from any other. */
  token: string;
}

/** Raised when a live process holds the lock; the message names it. */
export class LockHeldError extends Error {
  override readonly name = 'LockHeldError';
  constructor(
    readonly folder: string,
    readonly holder: LockHolder,
    lockFile: string,
  ) {
    const where = holder.host === hostname() ? `pid ${holder.pid}` : `pid ${holder.pid} on host ${holder.host}`;
    const gone =
      holder.host === hostname()
        ? ''
        : ` (it runs on another host, so this one cannot tell whether it is still running; if it is not, delete ${lockFile})`;
    super(
      `${folder} is in use by another fer process: ${where}, started ${holder.startedAt} (${holder.command}); wait for it to finish or stop it${gone}`,
    );
  }
}

/** A lock this process holds. */
export interface HeldLock {
  readonly file: string;
  /** Removes the lock file if it is still this process's; also done at exit. */
  release(): void;
}

/** How long a takeover may take before another process may assume its taker died. */
const TAKEOVER_STALE_MS = 10_000;

export function lockFileOf(folder: string): string {
  return `${resolve(folder)}.lock`;
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockHolder>;
    if (typeof value.pid !== 'number' || typeof value.host !== 'string' || typeof value.token !== 'string') return undefined;
    return {
      pid: value.pid,
      host: value.host,
      startedAt: String(value.startedAt),
      command: String(value.command),
      startTicks: value.startTicks,
      token: value.token,
    };
  } catch {
    return undefined;
  }
}

/** Whether the holder may still be running: true for another host's process, which cannot be checked. */
function holderAlive(holder: LockHolder): boolean {
  if (holder.host !== hostname()) return true;
  if (!isProcessAlive(holder.pid)) return false;
  const ticks = processStartTicks(holder.pid);
  return holder.startTicks === undefined || ticks === undefined || ticks === holder.startTicks;
}

/** The live holder of `folder`'s lock, if any (a stale or unreadable lock has none). */
export async function lockHolder(folder: string): Promise<LockHolder | undefined> {
  const text = await readFile(lockFileOf(folder), 'utf8').catch(() => undefined);
  const holder = text === undefined ? undefined : parseHolder(text);
  return holder !== undefined && holderAlive(holder) ? holder : undefined;
}

/** Creates `path` holding `text`, complete, or returns false if it exists. */
async function createExclusive(path: string, text: string): Promise<boolean> {
  const temp = `${path}.${process.pid}-${randomUUID()}.tmp`;
  await writeFile(temp, text).catch((error: NodeJS.ErrnoException) => {
    throw new Error(`cannot create the lock file ${path} (${error.code ?? error.message})`, { cause: error });
  });
  try {
    await link(temp, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Removes a stale lock whose text is `staleText`, under a short-lived guard file so that two
 * processes taking over the same stale lock cannot remove each other's fresh one.
 */
async function removeStale(file: string, staleText: string, message: string, log: (line: string) => void): Promise<void> {
  const guard = `${file}.takeover`;
  if (!(await createExclusive(guard, String(process.pid)))) {
    const age = Date.now() - ((await stat(guard).catch(() => undefined))?.mtimeMs ?? Date.now());
    if (age > TAKEOVER_STALE_MS) await unlink(guard).catch(() => undefined);
    else await pause(50);
    return;
  }
  try {
    const now = await readFile(file, 'utf8').catch(() => undefined);
    if (now === staleText) {
      await unlink(file);
      log(message);
    }
  } finally {
    await unlink(guard).catch(() => undefined);
  }
}

/**
 * Takes the lock on `folder` (creating its parent if needed), or throws {@link LockHeldError} naming
 * the live process that holds it. A lock left by a process that is gone is taken over, with a line
 * to `log` saying whose it was.
 */
export async function acquireLock(folder: string, log: (line: string) => void = (line) => console.error(line)): Promise<HeldLock> {
  const file = lockFileOf(folder);
  await makeDirectory(dirname(file));
  const mine: LockHolder = {
    pid: process.pid,
    host: hostname(),
    startedAt: new Date().toISOString(),
    command: ['fer', ...process.argv.slice(2)].join(' '),
    startTicks: processStartTicks(process.pid),
    token: randomUUID(),
  };
  const text = `${JSON.stringify(mine, null, 2)}\n`;
  for (let attempt = 0; attempt < 100; attempt++) {
    if (await createExclusive(file, text)) return holdLock(file, mine.token);
    const current = await readFile(file, 'utf8').catch(() => undefined);
    if (current === undefined) continue;
    const holder = parseHolder(current);
    if (holder !== undefined && holderAlive(holder)) throw new LockHeldError(resolve(folder), holder, file);
    const whose =
      holder === undefined
        ? 'it is unreadable'
        : `its holder, pid ${holder.pid} (started ${holder.startedAt}: ${holder.command}), is no longer running`;
    await removeStale(file, current, `taking over the lock on ${resolve(folder)}: ${whose}`, log);
  }
  throw new Error(`could not take the lock ${file}: other processes keep taking it`);
}

function holdLock(file: string, token: string): HeldLock {
  let held = true;
  const release = () => {
    if (!held) return;
    held = false;
    process.off('exit', release);
    try {
      // Only our own lock: after a takeover by mistake, someone else's must stay.
      if (parseHolder(readFileSync(file, 'utf8'))?.token === token) unlinkSync(file);
    } catch {
      // Already gone.
    }
  };
  process.on('exit', release);
  return { file, release };
}
