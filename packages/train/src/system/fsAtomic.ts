import { lstat, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { renameSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { faultPoint, isProcessAlive } from './processes.js';

/**
 * Creates a folder and its missing parents. Node's own `mkdir(path, { recursive: true })` loops
 * forever at full CPU where the kernel refuses the folder with ENOENT although its parent exists
 * (`/proc/x`): this walks up to the first existing ancestor once and creates each level once, so it
 * fails with the system's error instead.
 */
export async function makeDirectory(path: string): Promise<void> {
  const missing: string[] = [];
  for (let current = resolve(path); ; current = dirname(current)) {
    const info = await lstat(current).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (info !== undefined) {
      if (!info.isDirectory()) throw new Error(`cannot create folder ${path}: ${current} is not a folder`);
      break;
    }
    missing.push(current);
    if (dirname(current) === current) break;
  }
  for (const folder of missing.reverse()) {
    try {
      await mkdir(folder);
    } catch (error) {
      const { code, message } = error as NodeJS.ErrnoException;
      if (code === 'EEXIST' && (await lstat(folder)).isDirectory()) continue;
      throw new Error(`cannot create folder ${folder} (${code ?? message})`, { cause: error });
    }
  }
}

/** The two siblings a swap uses: `<target>.tmp-<pid>` (being written) and `<target>.old-<pid>` (the folder replaced). */
function swapNames(target: string, pid: number): { temp: string; old: string } {
  return { temp: `${target}.tmp-${pid}`, old: `${target}.old-${pid}` };
}

const LEFTOVER = /^(.+)\.(tmp|old)-(\d+)$/;

/**
 * Finishes what an interrupted {@link writeFolderAtomically} on `target` left behind, and says what
 * it did (empty when there was nothing to do). A swap renames the target to `.old-PID`, then the
 * verified new folder from `.tmp-PID` to the target; a kill between the two leaves no target, and
 * this puts `.old-` back, so the folder is as it was before the interrupted write (a `.tmp-` folder
 * may be incomplete, so it is never promoted). Then stale `.tmp-`/`.old-` folders are removed.
 * Leftovers of a live process other than this one are left alone: that process is still writing.
 * Callers hold the lock on the folder (runLock.ts), so no live process should be writing it.
 */
export async function recoverSwap(target: string): Promise<string[]> {
  const folder = dirname(resolve(target));
  const name = basename(resolve(target));
  const entries = await readdir(folder).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return [] as string[];
    throw error;
  });
  const leftovers = entries
    .map((entry) => ({ entry, match: LEFTOVER.exec(entry) }))
    .filter(({ match }) => match !== null && match[1] === name)
    .map(({ entry, match }) => ({ path: join(folder, entry), kind: match?.[2] as 'tmp' | 'old', pid: Number(match?.[3]) }))
    .filter(({ pid }) => pid === process.pid || !isProcessAlive(pid));
  if (leftovers.length === 0) return [];
  const done: string[] = [];
  const targetPath = join(folder, name);
  const exists = (await lstat(targetPath).catch(() => undefined)) !== undefined;
  const olds = leftovers.filter(({ kind }) => kind === 'old');
  let restored: string | undefined;
  if (!exists && olds.length > 0) {
    // Several .old- folders can only come from several interrupted swaps; the newest is the last complete folder.
    const withTimes = await Promise.all(olds.map(async (old) => ({ ...old, mtime: (await lstat(old.path)).mtimeMs })));
    withTimes.sort((a, b) => b.mtime - a.mtime);
    restored = withTimes[0]?.path;
    if (restored !== undefined) {
      renameSync(restored, targetPath);
      done.push(`restored ${targetPath} from ${basename(restored)} (a replacement of it was interrupted)`);
    }
  }
  for (const { path } of leftovers) {
    if (path === restored) continue;
    await rm(path, { recursive: true, force: true });
    done.push(`removed ${basename(path)}, left by an interrupted write`);
  }
  return done;
}

/** {@link recoverSwap} for every folder in `parent` that has swap leftovers (a run's last/, best/, snapshots). */
export async function recoverSwapsIn(parent: string): Promise<string[]> {
  const entries = await readdir(parent).catch(() => [] as string[]);
  const names = new Set(entries.map((entry) => LEFTOVER.exec(entry)?.[1]).filter((name): name is string => name !== undefined));
  const done: string[] = [];
  for (const name of names) done.push(...(await recoverSwap(join(parent, name))));
  return done;
}

/**
 * Writes a folder of files so that `target` is replaced only by a complete, verified folder: files
 * go to the sibling `<target>.tmp-PID`, `verify` runs on it, then two renames swap it in. Both renames
 * are synchronous, back to back, so nothing else runs between them; a kill that still lands between
 * them leaves the old folder in `<target>.old-PID`, which {@link recoverSwap} (run first here, and by
 * the CLI before it trains) puts back. Interrupted or failed writes leave the old folder untouched.
 */
export async function writeFolderAtomically(
  target: string,
  files: ReadonlyMap<string, Uint8Array | string>,
  verify: (tempFolder: string) => Promise<void> = async () => {},
): Promise<void> {
  for (const line of await recoverSwap(target)) console.error(line);
  const { temp, old } = swapNames(target, process.pid);
  const point = (stage: string) => faultPoint(`${stage}:${basename(target)}`);
  await rm(temp, { recursive: true, force: true });
  try {
    await makeDirectory(temp);
    let written = 0;
    for (const [relativePath, content] of files) {
      const path = join(temp, relativePath);
      await makeDirectory(dirname(path));
      await writeFile(path, content);
      if (++written === Math.ceil(files.size / 2)) point('write');
    }
    await verify(temp);
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
  point('verified');
  try {
    renameSync(target, old);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      await rm(temp, { recursive: true, force: true });
      throw error;
    }
  }
  point('between');
  try {
    renameSync(temp, target);
  } catch (error) {
    // Put the old folder back rather than leave none.
    try {
      renameSync(old, target);
    } catch {
      // It stays in .old-PID, which recoverSwap restores.
    }
    throw error;
  }
  point('swapped');
  await rm(old, { recursive: true, force: true });
}
