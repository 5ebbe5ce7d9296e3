/**
 * Unit tests of issue 26's folder safety: swaps that a kill interrupts are recovered, the lock names
 * its holder across processes, damaged checkpoints are errors naming the file, and an --out is only
 * replaced when it holds a previous export.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectTrainingBackend } from '../src/backend/selectBackend.js';
import { checkExportTarget, foreignContent } from '../src/export/outFolder.js';
import { makeDirectory, recoverSwap, writeFolderAtomically } from '../src/system/fsAtomic.js';
import { LockHeldError, acquireLock, lockFileOf } from '../src/system/runLock.js';
import { CheckpointStore } from '../src/training/checkpoint.js';

const root = mkdtempSync(join(tmpdir(), 'fer-folders-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let count = 0;
const fresh = (name: string) => join(root, `${count++}-${name}`);

function folderWith(path: string, files: Record<string, string>): string {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(path, name, '..'), { recursive: true });
    writeFileSync(join(path, name), text);
  }
  return path;
}

describe('swap recovery', () => {
  it('puts the old folder back when a kill left none (between the two renames)', async () => {
    const target = fresh('models');
    folderWith(`${target}.old-999999`, { 'a.txt': 'old' });
    folderWith(`${target}.tmp-999999`, { 'a.txt': 'new, maybe incomplete' });
    const done = await recoverSwap(target);
    expect(done.join('\n')).toMatch(/restored .*models from \d+-models\.old-999999/);
    expect(readFileSync(join(target, 'a.txt'), 'utf8')).toBe('old');
    expect(readdirSync(root).filter((name) => name.includes('models.'))).toEqual([]);
  });

  it('removes stale .tmp-/.old- folders beside a complete target, and nothing else', async () => {
    const target = folderWith(fresh('last'), { 'state.json': 'current' });
    folderWith(`${target}.tmp-999998`, { x: '' });
    folderWith(`${target}.old-999998`, { x: '' });
    folderWith(`${target}-notes`, { x: '' });
    await recoverSwap(target);
    expect(readFileSync(join(target, 'state.json'), 'utf8')).toBe('current');
    expect(existsSync(`${target}.tmp-999998`)).toBe(false);
    expect(existsSync(`${target}.old-999998`)).toBe(false);
    expect(existsSync(`${target}-notes`)).toBe(true);
  });

  it('leaves the leftovers of a live process alone', async () => {
    const target = fresh('busy');
    folderWith(`${target}.tmp-1`, { x: '' }); // pid 1 is always alive
    await recoverSwap(target);
    expect(existsSync(`${target}.tmp-1`)).toBe(true);
  });

  it('writeFolderAtomically recovers first, then replaces the folder', async () => {
    const target = fresh('out');
    folderWith(`${target}.old-999997`, { 'a.txt': 'old' });
    await writeFolderAtomically(
      target,
      new Map([
        ['a.txt', 'new'],
        ['sub/b.txt', 'b'],
      ]),
    );
    expect(readFileSync(join(target, 'a.txt'), 'utf8')).toBe('new');
    expect(readdirSync(root).filter((name) => name.includes('out.'))).toEqual([]);
  });

  it("makeDirectory fails at once where Node's recursive mkdir loops (/proc)", async () => {
    const started = performance.now();
    await expect(makeDirectory('/proc/fer-test/x')).rejects.toThrow(/cannot create folder \/proc\/fer-test/);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

describe('the lock', () => {
  const script = fileURLToPath(new URL('../src/system/runLock.ts', import.meta.url));

  /** Another process trying to take the same lock; resolves with its stderr and exit code. */
  function otherProcess(folder: string): Promise<{ code: number | null; stderr: string }> {
    const code = `import { acquireLock } from ${JSON.stringify(script)};
      acquireLock(${JSON.stringify(folder)}).then(() => process.exit(0), (e) => { console.error(e.message); process.exit(3); });`;
    return new Promise((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code]);
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('close', (exit) => resolve({ code: exit, stderr }));
    });
  }

  it('refuses a second process, naming the holder, and lets it in once released', async () => {
    const folder = fresh('run');
    const lock = await acquireLock(folder);
    const refused = await otherProcess(folder);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(new RegExp(`run is in use by another fer process: pid ${process.pid}, started \\d{4}-\\d\\d-\\d\\dT`));
    lock.release();
    expect(existsSync(lockFileOf(folder))).toBe(false);
    expect((await otherProcess(folder)).code).toBe(0);
  }, 30_000);

  it('in one process too', async () => {
    const folder = fresh('run');
    const lock = await acquireLock(folder);
    await expect(acquireLock(folder)).rejects.toBeInstanceOf(LockHeldError);
    lock.release();
  });

  it('takes over the lock of a process that is gone, saying whose it was', async () => {
    const folder = fresh('run');
    writeFileSync(
      lockFileOf(folder),
      JSON.stringify({ pid: 999_999_999, host: (await import('node:os')).hostname(), startedAt: 'then', command: 'fer train', token: 't' }),
    );
    const lines: string[] = [];
    const lock = await acquireLock(folder, (line) => lines.push(line));
    expect(lines.join('\n')).toMatch(/taking over the lock on .*run: its holder, pid 999999999 .* is no longer running/);
    lock.release();
  });
});

describe('an export replaces only a previous export', () => {
  it('accepts a missing or empty folder, or a previous export with its documents', async () => {
    expect(await foreignContent(fresh('none'))).toBeUndefined();
    const empty = fresh('empty');
    mkdirSync(empty);
    expect(await foreignContent(empty)).toBeUndefined();
    const previous = folderWith(fresh('models'), {
      'manifest.json': JSON.stringify({ files: { 'cnn/model.json': {}, 'cnn/weights.bin': {}, 'svm.json': {} } }),
      'cnn/model.json': '',
      'cnn/weights.bin': '',
      'svm.json': '',
      'REPORT.md': '',
      'report.json': '',
      'confusion-cnn-svm.svg': '',
      'studies/views.json': '',
    });
    expect(await foreignContent(previous)).toBeUndefined();
  });

  it('refuses --out equal to, inside or around --run, also through a symbolic link', async () => {
    const run = fresh('run');
    mkdirSync(run);
    const link = fresh('link');
    symlinkSync(run, link);
    for (const [out, runFolder, message] of [
      [run, run, /--out .* is inside --run/],
      [join(run, 'models'), run, /--out .* is inside --run/],
      [join(link, 'models'), run, /--out .* is inside --run/],
      [run, join(run, 'inner'), /--run .* is inside --out/],
    ] as const) {
      await expect(checkExportTarget({ out, run: runFolder, force: true })).rejects.toThrow(message);
    }
    await expect(checkExportTarget({ out: `${run}-models`, run, force: false })).resolves.toBeUndefined();
  });

  it('refuses an --out that another process is exporting to, naming it', async () => {
    const out = fresh('models');
    const lock = await acquireLock(out);
    try {
      await expect(checkExportTarget({ out, run: fresh('run'), force: false })).rejects.toThrow(/models is in use by another fer process: pid \d+/);
    } finally {
      lock.release();
    }
  });

  it('names what else a folder holds', async () => {
    expect(await foreignContent(folderWith(fresh('notes'), { 'notes.txt': '' }))).toMatch(/holds 1 file\(s\) \(notes\.txt\) and no export manifest/);
    const mixed = folderWith(fresh('mixed'), {
      'manifest.json': JSON.stringify({ files: { 'svm.json': {} } }),
      'svm.json': '',
      'teacher/targets.bin': '',
    });
    expect(await foreignContent(mixed)).toMatch(/besides a previous export it holds teacher\/targets\.bin/);
    expect(await foreignContent(mixed, ['teacher/targets.bin'])).toBeUndefined();
    const file = fresh('file');
    writeFileSync(file, '');
    expect(await foreignContent(file)).toMatch(/is a file/);
  });
});

describe('damaged checkpoints are errors naming the file', () => {
  beforeAll(async () => {
    await selectTrainingBackend({ prefer: 'wasm' });
  });

  async function savedCheckpoint(): Promise<CheckpointStore<{ n: number }>> {
    const store = new CheckpointStore<{ n: number }>(fresh('run'));
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [4] })] });
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError' });
    await model.fit(tf.ones([2, 4]), tf.ones([2, 3]), { epochs: 1, verbose: 0 });
    const progress = { completedEpochs: 1, completedBatches: 0, history: [], trainSeconds: 1, cpuSeconds: 1 };
    await store.save('last', model, model.optimizer, progress, { n: 1 });
    model.dispose();
    return store;
  }

  it('loads an intact checkpoint', async () => {
    const checkpoint = await (await savedCheckpoint()).load('last');
    expect(checkpoint?.progress.completedEpochs).toBe(1);
    checkpoint?.model.dispose();
  });

  it.each([
    ['state.json', (path: string) => writeFileSync(path, '{"progress": {"completedEpo'), /state\.json: is not valid JSON/],
    ['state.json', (path: string) => writeFileSync(path, '{"progress": 3}'), /state\.json: is not a checkpoint state/],
    ['weights.bin', (path: string) => truncateSync(path, 10), /weights\.bin: holds 10 bytes where its specs need \d+ \(truncated/],
    ['optimizer.bin', (path: string) => truncateSync(path, 7), /optimizer\.bin: holds 7 bytes where its specs need \d+/],
    ['model.json', (path: string) => writeFileSync(path, '{'), /model\.json: is not valid JSON/],
  ] as const)('%s damaged', async (file, damage, message) => {
    const store = await savedCheckpoint();
    damage(join(store.folder, 'last', file));
    const error = await store.load('last').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(new RegExp(`checkpoint file .*last/${file.replace('.', '\\.')}: `));
    expect((error as Error).message).toMatch(message);
  });
});
