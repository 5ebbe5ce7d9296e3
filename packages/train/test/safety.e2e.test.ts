/**
 * Faults around the data and the folders (issue 26): each must end the CLI promptly with a non-zero
 * code and a message that says what is wrong, before any training, and leave every folder as it was.
 * Each run has a time bound: a hang (the old progress bar left running, Node's mkdir loop on /proc)
 * is killed and fails the test.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { CSV_HEADER, csvRow, greyImage, writeImageFolder } from './helpers/fixtures.js';

const work = mkdtempSync(join(tmpdir(), 'fer-safety-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Startup (tsx, tfjs, wasm) takes a few seconds on a busy 2-core machine; a hang would take forever. */
const BOUND_MS = 45_000;

function file(name: string, text: string): string {
  const path = join(work, name);
  writeFileSync(path, text);
  return path;
}

/** `fer train` on `data` into fresh folders, with a time bound. */
function train(data: string, extra: string[] = [], name = 'x') {
  return runCli(['train', '--data', data, '--run', join(work, `run-${name}`), '--out', join(work, `out-${name}`), '--epochs', '1', ...extra], {
    limitMs: BOUND_MS,
  });
}

function expectPromptFailure(run: Awaited<ReturnType<typeof runCli>>, message: RegExp) {
  expect(run.timedOut, `hung; stderr:\n${run.stderr}`).toBe(false);
  expect(run.code).toBe(1);
  expect(run.stderr).toMatch(message);
}

describe('failures exit promptly with a non-zero code', () => {
  it('a CSV with a header and no rows', async () => {
    expectPromptFailure(await train(file('empty.csv', `${CSV_HEADER}\n`)), /No images for split 'train'/);
  }, 60_000);

  it('a CSV with no rows for the split', async () => {
    const rows = [0, 1, 2].map((k) => csvRow(k, greyImage(k), 'PublicTest'));
    expectPromptFailure(await train(file('public-only.csv', [CSV_HEADER, ...rows, ''].join('\n'))), /No images for split 'train'/);
  }, 60_000);

  it('a CSV whose rows are all bad', async () => {
    const rows = [csvRow(9, greyImage(0), 'Training'), '3,1 2 3,Training', 'x,y'];
    expectPromptFailure(await train(file('all-bad.csv', [CSV_HEADER, ...rows, ''].join('\n'))), /No images for split 'train'.*3 inputs skipped/);
  }, 60_000);

  it('--strict failing after the first 64 files', async () => {
    const folder = writeImageFolder(join(work, 'strict-data'), 10);
    writeFileSync(join(folder, 'train', 'surprise', 'Training_99999.jpg'), 'not a jpeg');
    expectPromptFailure(await train(folder, ['--strict']), /strict mode.*Training_99999\.jpg: cannot decode JPEG/);
  }, 60_000);

  it("--out under /proc, refused before loading data (Node's mkdir would loop there)", async () => {
    const run = await train(join(work, 'nowhere'), ['--out', '/proc/fer-out']);
    expectPromptFailure(run, /--out \/proc\/fer-out is not writable: cannot create folder \/proc\//);
    expect(run.stderr).not.toMatch(/FER2013 data not found/);
  }, 60_000);
});

describe('exports replace only their own output', () => {
  it('refuses an --out holding anything but a previous export, and leaves it as it was', async () => {
    const notes = join(work, 'notes');
    mkdirSync(notes);
    writeFileSync(join(notes, 'ideas.txt'), 'mine');
    const run = await train(join(work, 'nowhere'), ['--out', notes], 'notes');
    expectPromptFailure(run, /--out .*notes: it holds 1 file\(s\) \(ideas\.txt\) and no export manifest.*--force/);
    expect(readFileSync(join(notes, 'ideas.txt'), 'utf8')).toBe('mine');
  }, 60_000);

  it('refuses --out equal to --run (the other overlaps: folderSafety.test.ts)', async () => {
    const run = join(work, 'run-overlap');
    const result = await runCli(['train', '--data', join(work, 'nowhere'), '--run', run, '--out', run, '--force'], { limitMs: BOUND_MS });
    expectPromptFailure(result, /--out .* is inside --run/);
  }, 60_000);
});

describe('interrupted swaps are recovered on the next run', () => {
  it('puts back --out and the last checkpoint that a kill between two renames left aside, and removes temporary folders', async () => {
    const dead = 999_999_999; // no such process
    const out = join(work, 'out-swapped');
    const runFolder = join(work, 'run-swapped');
    const manifest = JSON.stringify({ files: { 'svm.json': { sha256: '0'.repeat(64), bytes: 2 } } });
    for (const [path, text] of [
      [`${out}.old-${dead}/manifest.json`, manifest],
      [`${out}.old-${dead}/svm.json`, '{}'],
      [`${out}.tmp-${dead}/svm.json`, '{"half'],
      [`${runFolder}/last.old-${dead}/state.json`, '{}'],
      [`${runFolder}/best.tmp-${dead}/state.json`, '{'],
    ] as const) {
      mkdirSync(join(path, '..'), { recursive: true });
      writeFileSync(path, text);
    }
    const run = await runCli(['train', '--data', join(work, 'nowhere'), '--run', runFolder, '--out', out], { limitMs: BOUND_MS });
    expectPromptFailure(run, /FER2013 data not found/);
    expect(run.stderr).toMatch(/restored .*out-swapped from out-swapped\.old-999999999/);
    expect(readFileSync(join(out, 'manifest.json'), 'utf8')).toBe(manifest);
    expect(readFileSync(join(runFolder, 'last', 'state.json'), 'utf8')).toBe('{}');
    expect(existsSync(`${out}.tmp-${dead}`)).toBe(false);
    expect(existsSync(join(runFolder, `best.tmp-${dead}`))).toBe(false);
  }, 60_000);
});

describe('a lock on --run', () => {
  it('names the live process holding it', async () => {
    // A live process that is not fer, recorded as the holder.
    const holder = spawn('sleep', ['60']);
    try {
      const runFolder = join(work, 'run-locked');
      writeFileSync(
        `${runFolder}.lock`,
        JSON.stringify({ pid: holder.pid, host: hostname(), startedAt: '2026-01-02T03:04:05.000Z', command: 'fer train --seed 1', token: 'other' }),
      );
      const run = await runCli(['train', '--data', join(work, 'nowhere'), '--run', runFolder, '--out', join(work, 'out-locked')], {
        limitMs: BOUND_MS,
      });
      expectPromptFailure(
        run,
        new RegExp(`run-locked is in use by another fer process: pid ${holder.pid}, started 2026-01-02T03:04:05.000Z \\(fer train --seed 1\\)`),
      );
      expect(existsSync(`${runFolder}.lock`)).toBe(true);
    } finally {
      holder.kill();
    }
  }, 60_000);

  it('takes over a lock whose process is gone, saying so (and --seed 0 is accepted)', async () => {
    const gone = spawn('true');
    await new Promise((resolve) => gone.on('close', resolve));
    const runFolder = join(work, 'run-stale');
    writeFileSync(
      `${runFolder}.lock`,
      JSON.stringify({ pid: gone.pid, host: hostname(), startedAt: '2026-01-02T03:04:05.000Z', command: 'fer train', token: 'gone' }),
    );
    // With --seed 0, which is accepted (it got as far as the data).
    const run = await runCli(['train', '--data', join(work, 'nowhere'), '--run', runFolder, '--out', join(work, 'out-stale'), '--seed', '0'], {
      limitMs: BOUND_MS,
    });
    expect(run.stderr).toMatch(new RegExp(`taking over the lock on .*run-stale: its holder, pid ${gone.pid} .* is no longer running`));
    expectPromptFailure(run, /FER2013 data not found/);
    // Released at exit.
    expect(existsSync(`${runFolder}.lock`)).toBe(false);
  }, 60_000);
});
