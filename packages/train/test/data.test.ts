import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { EXPRESSIONS, FER2013_CSV_CODES } from '@fer/core';
import jpeg from 'jpeg-js';
import { afterAll, describe, expect, it } from 'vitest';
import { fingerprintImages } from '../src/data/cache.js';
import { type LabeledImages, loadSplit, type SplitName } from '../src/data/dataset.js';
import { ferDataDir } from './helpers/ferData.js';

const PIXELS = 48 * 48;
const USAGE = { train: 'Training', public: 'PublicTest', private: 'PrivateTest' } as const;

interface Row {
  /** CSV line number (header = 1); also the id in the JPEG's file name, so both forms sort alike. */
  row: number;
  label: number;
  split: SplitName;
  pixels: Uint8Array;
  jpeg: Buffer;
}

const root = mkdtempSync(join(tmpdir(), 'fer-data-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let tempCount = 0;
/** A fresh empty folder per fixture or cache, so no test sees another's cache. */
function tempDir(): string {
  const dir = join(root, String(tempCount++));
  mkdirSync(dir);
  return dir;
}

/** A smooth synthetic face stand-in: JPEG keeps smooth images within a few grey levels. */
function syntheticImage(seed: number, size = 48): Uint8Array {
  const pixels = new Uint8Array(size * size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      // Coordinates in 48ths, so a larger image of the same seed shows the same picture.
      const u = (x * 48) / size;
      const w = (y * 48) / size;
      const v = 120 + 50 * Math.sin(u / (4 + (seed % 5)) + seed) + 40 * Math.cos(w / (3 + (seed % 7)) - seed);
      pixels[y * size + x] = Math.max(0, Math.min(255, Math.round(v)));
    }
  }
  return pixels;
}

function encodeGray(pixels: Uint8Array, size = 48): Buffer {
  const rgba = Buffer.alloc(size * size * 4, 255);
  pixels.forEach((v, i) => rgba.fill(v, 4 * i, 4 * i + 3));
  return jpeg.encode({ width: size, height: size, data: rgba }, 95).data;
}

/**
 * 3 rows per label in train, 1 per label in each test split, ids 2..36 so 9 < 10 matters. The rows
 * share 5 images because jpeg-js takes ~50 ms per encode; sources and labels still pin the order.
 */
function makeRows(): Row[] {
  const pool = [0, 1, 2, 3, 4].map((seed) => {
    const pixels = syntheticImage(seed);
    return { pixels, jpeg: encodeGray(pixels) };
  });
  const splits: SplitName[] = [];
  for (let i = 0; i < 3; i++) splits.push('train');
  splits.push('public', 'private');
  const rows: Row[] = [];
  for (const split of splits) {
    for (let label = 0; label < EXPRESSIONS.length; label++) {
      const row = rows.length + 2;
      rows.push({ row, label, split, ...pool[row % pool.length]! });
    }
  }
  return rows;
}

/** Typed-array equality without vitest's element-by-element diffing, which is slow on image buffers. */
function expectSameImages(actual: LabeledImages, wanted: LabeledImages): void {
  const { pixels, labels, ...rest } = actual;
  const { pixels: wantedPixels, labels: wantedLabels, ...wantedRest } = wanted;
  expect(rest).toEqual(wantedRest);
  expect(Buffer.compare(pixels, wantedPixels)).toBe(0);
  expect(Buffer.compare(labels, wantedLabels)).toBe(0);
}

function csvLine(row: Row): string {
  return `${FER2013_CSV_CODES.indexOf(EXPRESSIONS[row.label]!)},${Array.from(row.pixels).join(' ')},${USAGE[row.split]}`;
}

function writeCsv(path: string, rows: Row[], extraLines: string[] = []): void {
  writeFileSync(path, ['emotion,pixels,Usage', ...rows.map(csvLine), ...extraLines, ''].join('\n'));
}

function imagePath(dir: string, row: Row, prefixed = true): string {
  const folder = row.split === 'train' ? 'train' : 'test';
  const name = row.split === 'train' || prefixed ? `${USAGE[row.split]}_${row.row}.jpg` : `${row.row}.jpg`;
  return join(dir, folder, EXPRESSIONS[row.label]!, name);
}

function writeKaggle(dir: string, rows: Row[], prefixed = true): void {
  for (const row of rows) {
    const path = imagePath(dir, row, prefixed);
    mkdirSync(resolve(path, '..'), { recursive: true });
    writeFileSync(path, row.jpeg);
  }
}

/** Rows of a split in the order the loader promises: by label, then by id. */
function expected(rows: Row[], split: SplitName): Row[] {
  return rows.filter((r) => r.split === split).sort((a, b) => a.label - b.label || a.row - b.row);
}

const rows = makeRows();
const kaggleDir = tempDir();
writeKaggle(kaggleDir, rows);
const csvDir = tempDir();
writeCsv(join(csvDir, 'fer2013.csv'), rows);

describe('loadSplit', () => {
  it.each(['train', 'public', 'private'] as const)('loads %s identically from the Kaggle folder and the CSV', async (split) => {
    const want = expected(rows, split);
    const folder = await loadSplit(kaggleDir, split, { cacheDir: tempDir() });
    const csv = await loadSplit(join(csvDir, 'fer2013.csv'), split, { cacheDir: tempDir() });

    for (const { images, report } of [folder, csv]) {
      expect(images).toMatchObject({ split, size: 48, count: want.length });
      expect(report).toEqual({ loaded: want.length, skipped: [], resized: 0, cached: false });
      expect(Array.from(images.labels)).toEqual(want.map((r) => r.label));
      expect(images.pixels.length).toBe(want.length * PIXELS);
    }
    expect(csv.images.sources).toEqual(want.map((r) => `fer2013.csv:row ${r.row}`));
    expect(folder.images.sources).toEqual(want.map((r) => imagePath('', r)));
    want.forEach((r, i) => {
      expect(Buffer.compare(csv.images.pixels.subarray(i * PIXELS, (i + 1) * PIXELS), r.pixels)).toBe(0);
      const decoded = folder.images.pixels.subarray(i * PIXELS, (i + 1) * PIXELS);
      const maxError = Math.max(...Array.from(decoded, (v, j) => Math.abs(v - r.pixels[j]!)));
      expect(maxError).toBeLessThanOrEqual(6);
    });
  });

  it('accepts a folder holding fer2013.csv as well as the file itself', async () => {
    const viaFolder = await loadSplit(csvDir, 'public', { cacheDir: tempDir() });
    const viaFile = await loadSplit(join(csvDir, 'fer2013.csv'), 'public', { cacheDir: tempDir() });
    expectSameImages(viaFolder.images, viaFile.images);
  });

  it('treats an unprefixed test/ folder as the public split', async () => {
    const dir = tempDir();
    writeKaggle(
      dir,
      rows.filter((r) => r.split === 'public'),
      false,
    );
    const { images } = await loadSplit(dir, 'public', { cacheDir: tempDir() });
    expect(images.count).toBe(EXPRESSIONS.length);
    await expect(loadSplit(dir, 'private', { cacheDir: tempDir() })).rejects.toThrow(`No images for split 'private' in ${dir}`);
  });

  it('skips test/ files of unknown split when the others are prefixed', async () => {
    const dir = tempDir();
    const testRows = rows.filter((r) => r.split !== 'train');
    writeKaggle(dir, testRows);
    writeFileSync(join(dir, 'test', 'happy', 'Mystery_1.jpg'), testRows[0]!.jpeg);
    const { images, report } = await loadSplit(dir, 'public', { cacheDir: tempDir() });
    expect(images.count).toBe(EXPRESSIONS.length);
    expect(report.skipped).toEqual([{ source: 'test/happy/Mystery_1.jpg', reason: expect.stringContaining('PublicTest_') as string }]);
  });

  it('skips an undecodable JPEG and counts it, or throws naming it in strict mode', async () => {
    const dir = tempDir();
    const train = rows.filter((r) => r.split === 'train');
    writeKaggle(dir, train);
    const bad = train[4]!;
    writeFileSync(imagePath(dir, bad), bad.jpeg.subarray(0, 300));
    const source = imagePath('', bad);
    const cacheDir = tempDir();

    await expect(loadSplit(dir, 'train', { cacheDir, strict: true })).rejects.toThrow(`${source}: cannot decode JPEG`);
    const { images, report } = await loadSplit(dir, 'train', { cacheDir });
    expect(images.count).toBe(train.length - 1);
    expect(report.loaded).toBe(train.length - 1);
    expect(report.skipped).toEqual([{ source, reason: expect.stringContaining('cannot decode JPEG') as string }]);
    expect(images.sources).not.toContain(source);
    // The skip is cached with the images, and strict mode still refuses it.
    await expect(loadSplit(dir, 'train', { cacheDir, strict: true })).rejects.toThrow(source);
  });

  it('skips bad CSV rows and counts them, or throws naming the row in strict mode', async () => {
    const path = join(tempDir(), 'fer2013.csv');
    const train = rows.filter((r) => r.split === 'train');
    const good = csvLine(train[0]!).split(',');
    const lines = [
      `${good[0]},${good[1]} 7,Training`,
      `7,${good[1]},Training`,
      `${good[0]},${good[1]},Validation`,
      `${good[0]},${good[1]!.replace(/\d+$/, '256')},Training`,
      `${good[0]},${good[1]},Training,extra`,
    ];
    writeCsv(path, train, lines);
    const first = train.length + 2;
    const { images, report } = await loadSplit(path, 'train', { cacheDir: tempDir() });
    expect(images.count).toBe(train.length);
    expect(report.skipped).toEqual([
      { source: `fer2013.csv:row ${first}`, reason: `expected ${PIXELS} pixel values, got ${PIXELS + 1}` },
      { source: `fer2013.csv:row ${first + 1}`, reason: expect.stringContaining("unknown emotion code '7'") as string },
      { source: `fer2013.csv:row ${first + 2}`, reason: expect.stringContaining("unknown Usage 'Validation'") as string },
      { source: `fer2013.csv:row ${first + 3}`, reason: `pixel ${PIXELS} is above 255` },
      { source: `fer2013.csv:row ${first + 4}`, reason: 'expected 3 fields, got 4' },
    ]);
    await expect(loadSplit(path, 'train', { cacheDir: tempDir(), strict: true })).rejects.toThrow(
      `fer2013.csv:row ${first}: expected ${PIXELS} pixel values`,
    );
  });

  it('rejects a malformed CSV header', async () => {
    const path = join(tempDir(), 'fer2013.csv');
    writeFileSync(path, `label,pixels,Usage\n${csvLine(rows[0]!)}\n`);
    await expect(loadSplit(path, 'train', { cacheDir: tempDir() })).rejects.toThrow(`Malformed header in ${path}`);
    writeFileSync(path, '');
    await expect(loadSplit(path, 'train', { cacheDir: tempDir() })).rejects.toThrow(`Malformed header in ${path}`);
  });

  it('rejects an unknown label folder, listing the allowed names', async () => {
    const dir = tempDir();
    writeKaggle(
      dir,
      rows.filter((r) => r.split === 'train'),
    );
    mkdirSync(join(dir, 'train', 'contempt'));
    await expect(loadSplit(dir, 'train', { cacheDir: tempDir() })).rejects.toThrow(
      `Unknown label folder '${join(dir, 'train', 'contempt')}': label folders must be named ${EXPRESSIONS.join(', ')}`,
    );
  });

  it('says where it looked and what it accepts when the data is missing', async () => {
    const missing = join(root, 'no-such-dir');
    const error = await loadSplit(missing, 'train', { cacheDir: tempDir() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toContain(`FER2013 data not found at ${missing}: `);
    expect(message).toContain('FER2013_DIR');
    expect(message).toContain('train/<label>/*.jpg');
    expect(message).toContain('fer2013.csv');
    await expect(loadSplit(tempDir(), 'train', { cacheDir: tempDir() })).rejects.toThrow('FER2013 data not found at');
  });

  it('throws for a split with no images', async () => {
    const dir = tempDir();
    writeKaggle(
      dir,
      rows.filter((r) => r.split === 'public'),
    );
    await expect(loadSplit(dir, 'private', { cacheDir: tempDir() })).rejects.toThrow(`No images for split 'private' in ${dir}`);
    await expect(loadSplit(dir, 'train', { cacheDir: tempDir() })).rejects.toThrow(`No images for split 'train' in ${dir}`);
    const path = join(tempDir(), 'fer2013.csv');
    writeCsv(
      path,
      rows.filter((r) => r.split === 'train'),
    );
    await expect(loadSplit(path, 'public', { cacheDir: tempDir() })).rejects.toThrow(`No images for split 'public' in ${path}`);
  });

  it('converts RGB to BT.601 luma and resizes images that are not 48x48', async () => {
    const dir = join(tempDir(), 'train', 'happy');
    mkdirSync(dir, { recursive: true });
    const rgba = Buffer.alloc(48 * 48 * 4);
    for (let i = 0; i < 48 * 48; i++) rgba.set([200, 100, 50, 255], 4 * i);
    writeFileSync(join(dir, 'Training_1.jpg'), jpeg.encode({ width: 48, height: 48, data: rgba }, 100).data);
    const big = syntheticImage(3, 96);
    writeFileSync(join(dir, 'Training_2.jpg'), encodeGray(big, 96));

    const { images, report } = await loadSplit(resolve(dir, '../..'), 'train', { cacheDir: tempDir() });
    expect(report.resized).toBe(1);
    const luma = 0.299 * 200 + 0.587 * 100 + 0.114 * 50;
    for (const v of images.pixels.subarray(0, PIXELS)) expect(Math.abs(v - luma)).toBeLessThanOrEqual(3);
    const shrunk = images.pixels.subarray(PIXELS);
    for (let y = 0; y < 48; y++) {
      for (let x = 0; x < 48; x++) {
        const at = (dy: number, dx: number) => big[(2 * y + dy) * 96 + 2 * x + dx]!;
        const mean = (at(0, 0) + at(0, 1) + at(1, 0) + at(1, 1)) / 4;
        expect(Math.abs(shrunk[y * 48 + x]! - mean)).toBeLessThanOrEqual(6);
      }
    }
  });
});

describe('cache', () => {
  /** Many copies of a few JPEGs, so the cache holds a realistic number of images. */
  function writeManyJpegs(dir: string, perLabel: number): void {
    for (const label of EXPRESSIONS) {
      mkdirSync(join(dir, 'train', label), { recursive: true });
      for (let i = 0; i < perLabel; i++) writeFileSync(join(dir, 'train', label, `Training_${i}.jpg`), rows[i % rows.length]!.jpeg);
    }
  }

  // Speed is not asserted here (timed unit tests flake on a loaded machine); `report.cached` shows the hit.
  it('returns identical data from the cache', async () => {
    const dir = tempDir();
    writeManyJpegs(dir, 60);
    const cacheDir = tempDir();
    const cold = await loadSplit(dir, 'train', { cacheDir });
    const warm = await loadSplit(dir, 'train', { cacheDir });

    expect(cold.report.cached).toBe(false);
    expect(warm.report.cached).toBe(true);
    expectSameImages(warm.images, cold.images);
    expect(fingerprintImages(warm.images)).toBe(fingerprintImages(cold.images));
    expect(readdirSync(cacheDir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('is invalidated when an image changes', async () => {
    const dir = tempDir();
    const train = rows.filter((r) => r.split === 'train');
    writeKaggle(dir, train);
    const cacheDir = tempDir();
    const before = await loadSplit(dir, 'train', { cacheDir });
    const changed = imagePath(dir, train[0]!);
    writeFileSync(changed, rows.find((r) => Buffer.compare(r.pixels, train[0]!.pixels) !== 0)!.jpeg);
    utimesSync(changed, new Date(), new Date(Date.now() + 5000));
    const after = await loadSplit(dir, 'train', { cacheDir });
    expect(after.report.cached).toBe(false);
    expect(fingerprintImages(after.images)).not.toBe(fingerprintImages(before.images));
    expect((await loadSplit(dir, 'train', { cacheDir })).report.cached).toBe(true);
  });

  it('is invalidated when the CSV changes', async () => {
    const path = join(tempDir(), 'fer2013.csv');
    const train = rows.filter((r) => r.split === 'train');
    writeCsv(path, train.slice(1));
    const cacheDir = tempDir();
    expect((await loadSplit(path, 'train', { cacheDir })).images.count).toBe(train.length - 1);
    writeCsv(path, train);
    const after = await loadSplit(path, 'train', { cacheDir });
    expect(after.report.cached).toBe(false);
    expect(after.images.count).toBe(train.length);
  });

  it('ignores and rebuilds a corrupt cache file', async () => {
    const cacheDir = tempDir();
    const first = await loadSplit(csvDir, 'train', { cacheDir });
    const [file] = readdirSync(cacheDir);
    for (const damage of ['garbage', 'truncated', 'flipped'] as const) {
      const path = join(cacheDir, file!);
      const bytes = readFileSync(path);
      if (damage === 'garbage') writeFileSync(path, 'not a cache');
      else if (damage === 'truncated') writeFileSync(path, bytes.subarray(0, bytes.length - 100));
      else writeFileSync(path, Buffer.concat([Buffer.from([bytes[0]! ^ 1]), bytes.subarray(1)]));
      const rebuilt = await loadSplit(csvDir, 'train', { cacheDir });
      expect(rebuilt.report.cached).toBe(false);
      expectSameImages(rebuilt.images, first.images);
      expect((await loadSplit(csvDir, 'train', { cacheDir })).report.cached).toBe(true);
    }
  });
});

describe('fingerprintImages', () => {
  it('changes with any pixel or label', async () => {
    const { images } = await loadSplit(csvDir, 'public', { cacheDir: tempDir() });
    const base = fingerprintImages(images);
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    const pixels = images.pixels.slice();
    pixels[100]! ^= 1;
    expect(fingerprintImages({ ...images, pixels })).not.toBe(base);
    const labels = images.labels.slice();
    labels[0] = (labels[0]! + 1) % EXPRESSIONS.length;
    expect(fingerprintImages({ ...images, labels })).not.toBe(base);
  });
});

describe('real FER2013 data', () => {
  const dataDir = ferDataDir();
  const test = dataDir === undefined ? it.skip : it;
  test(
    dataDir === undefined
      ? 'loads the PublicTest split (skipped: FER2013 data absent; set FER2013_DIR to run it)'
      : `loads the PublicTest split from ${dataDir}`,
    async () => {
      const { images, report } = await loadSplit(dataDir!, 'public', { cacheDir: tempDir() });
      expect(images.count).toBe(3589);
      expect(report.skipped).toEqual([]);
      const perLabel = new Array<number>(EXPRESSIONS.length).fill(0);
      for (const label of images.labels) perLabel[label]! += 1;
      expect(perLabel.reduce((a, b) => a + b, 0)).toBe(3589);
      // Published PublicTest table: angry, disgust, fear, happy, neutral, sad, surprise.
      expect(perLabel).toEqual([467, 56, 496, 895, 607, 653, 415]);
    },
    120_000,
  );
});
