/**
 * Checks on an export's --out before anything is trained: an export replaces the whole folder, so it
 * may only replace a previous export (or an empty or missing folder), must not overlap the run's
 * checkpoints, and must be writable; all of that is known in seconds, not after hours of training.
 */
import { lstat, readFile, readdir, realpath, rm } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { MANIFEST_FILE } from '@fer/core';
import { makeDirectory, recoverSwap } from '../system/fsAtomic.js';
import { acquireLock } from '../system/runLock.js';

/** Documents an export writes beside the artifacts listed in its manifest (train.ts's `documents`). */
const EXPORT_DOCUMENTS = [/^REPORT\.md$/, /^report\.json$/, /^[^/]+\.svg$/, /^studies\/[^/]+\.json$/, /^REPORT\.md\.tmp-\d+$/];

/** At most this many entries are listed; a folder with more is not an export anyway. */
const MAX_ENTRIES = 10_000;

/** The path with symbolic links in its existing part resolved, so two spellings of one folder compare equal. */
async function canonical(path: string): Promise<string> {
  const absolute = resolve(path);
  for (let existing = absolute, rest = ''; ; existing = dirname(existing)) {
    const real = await realpath(existing).catch(() => undefined);
    if (real !== undefined) return join(real, rest);
    if (dirname(existing) === existing) return absolute;
    rest = rest === '' ? basename(existing) : join(basename(existing), rest);
  }
}

function isInside(child: string, parent: string): boolean {
  const path = relative(parent, child);
  return path === '' || (!path.startsWith('..') && !path.startsWith(sep) && path !== '..');
}

/** Files under `folder`, relative, with '/' separators (at most MAX_ENTRIES + 1). */
async function listFiles(folder: string, prefix = '', into: string[] = []): Promise<string[]> {
  for (const entry of await readdir(join(folder, prefix), { withFileTypes: true })) {
    if (into.length > MAX_ENTRIES) break;
    const path = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) {
      const before = into.length;
      await listFiles(folder, path, into);
      if (into.length === before) into.push(`${path}/`);
    } else into.push(path);
  }
  return into;
}

/**
 * Why `out` is not something an export may replace, or undefined when it may: it is missing, an
 * empty folder, or a previous export (a manifest.json whose `files` and the export's documents
 * account for everything in it). `documents` are extra names this export writes.
 */
export async function foreignContent(out: string, documents: Iterable<string> = []): Promise<string | undefined> {
  const info = await lstat(out).catch(() => undefined);
  if (info === undefined) return undefined;
  if (!info.isDirectory()) return 'it is a file, not a folder';
  const files = await listFiles(out);
  if (files.length === 0) return undefined;
  let listed: string[];
  try {
    const manifest = JSON.parse(await readFile(join(out, MANIFEST_FILE), 'utf8')) as { files?: unknown };
    if (typeof manifest.files !== 'object' || manifest.files === null) throw new Error('no files');
    listed = Object.keys(manifest.files);
  } catch {
    const shown = files.slice(0, 5).join(', ');
    return `it holds ${files.length > MAX_ENTRIES ? `over ${MAX_ENTRIES}` : files.length} file(s) (${shown}${files.length > 5 ? ', ...' : ''}) and no export manifest`;
  }
  const known = new Set([MANIFEST_FILE, ...listed, ...documents]);
  const others = files.filter((file) => !known.has(file) && !EXPORT_DOCUMENTS.some((pattern) => pattern.test(file)));
  if (others.length === 0) return undefined;
  return `besides a previous export it holds ${others.slice(0, 5).join(', ')}${others.length > 5 ? ` and ${others.length - 5} more` : ''}`;
}

/** The error for an --out an export may not replace. */
export function foreignContentError(out: string, why: string): Error {
  return new Error(
    `--out ${out}: ${why}; an export replaces the whole folder, so that would be deleted. Choose another --out, move it away, or add --force to delete it with the rest.`,
  );
}

/**
 * Everything about --out that can be checked before training: it does not overlap --run; it holds
 * nothing but a previous export (unless `force`); an export interrupted earlier is recovered; and its
 * parent is writable (a sibling folder is created and removed, as the export will). Holds the lock on
 * --out while it looks, so an export running now is named rather than raced.
 */
export async function checkExportTarget(options: { out: string; run: string; force: boolean }): Promise<void> {
  const [out, run] = await Promise.all([canonical(options.out), canonical(options.run)]);
  if (isInside(out, run)) throw new Error(`--out ${options.out} is inside --run ${options.run}: the export would replace the run's checkpoints`);
  if (isInside(run, out)) throw new Error(`--run ${options.run} is inside --out ${options.out}: the export would delete the run's checkpoints`);
  // The export writes a sibling folder and renames it: try exactly that, and fail with the system's reason.
  const probe = `${out}.tmp-${process.pid}`;
  try {
    await makeDirectory(probe);
  } catch (error) {
    throw new Error(`--out ${options.out} is not writable: ${(error as Error).message}`, { cause: error });
  } finally {
    await rm(probe, { recursive: true, force: true });
  }
  const lock = await acquireLock(out);
  try {
    for (const line of await recoverSwap(out)) console.error(line);
    const why = await foreignContent(out);
    if (why !== undefined && !options.force) throw foreignContentError(options.out, why);
  } finally {
    lock.release();
  }
}
