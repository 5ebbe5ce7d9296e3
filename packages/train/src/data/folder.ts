import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { EXPRESSIONS, expressionIndex } from '@fer/core';
import jpeg from 'jpeg-js';
import pLimit from 'p-limit';
import { IMAGE_PIXELS, IMAGE_SIZE, type SplitSource } from './collect.js';
import type { SplitName } from './labeledImages.js';

/** File name prefixes that tell the two test splits apart inside test/ of the full Kaggle release. */
const TEST_PREFIXES = { public: 'PublicTest_', private: 'PrivateTest_' } as const;

/** Files read ahead of the decoder; decoding is synchronous, so more only costs memory. */
const READ_AHEAD = 64;

interface ImageFile {
  name: string;
  source: string;
  path: string;
  label: number;
  size: number;
  mtimeMs: number;
}

/**
 * Opens one split of a Kaggle-layout folder (train/<label>/*.jpg, test/<label>/*.jpg). Listing and
 * stat-ing every file up front gives the cache fingerprint without decoding anything.
 */
export async function openFolderSplit(root: string, split: SplitName): Promise<SplitSource> {
  const splitFolder = split === 'train' ? 'train' : 'test';
  const splitDir = join(root, splitFolder);
  const candidates: (Omit<ImageFile, 'size' | 'mtimeMs'> & { key: string[] })[] = [];
  const skipped: { source: string; reason: string }[] = [];
  let labelFolders: string[];
  try {
    labelFolders = visible(await readdir(splitDir));
  } catch (error) {
    throw new Error(`No images for split '${split}' in ${root}: cannot list ${splitFolder}/ (${errorText(error)})`, { cause: error });
  }
  for (const folder of labelFolders) {
    const folderPath = join(splitDir, folder);
    if (!(await stat(folderPath)).isDirectory()) {
      skipped.push({ source: `${splitFolder}/${folder}`, reason: 'not inside a label folder' });
      continue;
    }
    const label = expressionIndex(folder);
    if (label === undefined) {
      throw new Error(`Unknown label folder '${folderPath}': label folders must be named ${EXPRESSIONS.join(', ')}`);
    }
    for (const name of visible(await readdir(folderPath))) {
      const source = `${splitFolder}/${folder}/${name}`;
      candidates.push({ name, source, path: join(folderPath, name), label, key: naturalKey(name) });
    }
  }
  candidates.sort((a, b) => a.label - b.label || compareNatural(a.key, b.key));

  const stats = await pLimit(READ_AHEAD).map(candidates, (file) => stat(file.path));
  const jpegs: ImageFile[] = [];
  candidates.forEach(({ name, source, path, label }, i) => {
    const info = stats[i]!;
    if (!info.isFile()) skipped.push({ source, reason: 'not a file' });
    else if (!/\.jpe?g$/i.test(name)) skipped.push({ source, reason: 'not a .jpg file' });
    else jpegs.push({ name, source, path, label, size: info.size, mtimeMs: info.mtimeMs });
  });

  let files = jpegs;
  if (split !== 'train') {
    const prefixOf = (file: ImageFile) => Object.values(TEST_PREFIXES).find((prefix) => file.name.startsWith(prefix));
    if (jpegs.some((file) => prefixOf(file) !== undefined)) {
      files = [];
      for (const file of jpegs) {
        const prefix = prefixOf(file);
        if (prefix === TEST_PREFIXES[split]) files.push(file);
        else if (prefix === undefined) {
          const reason = `name starts with neither ${Object.values(TEST_PREFIXES).join(' nor ')}, so its split is unknown`;
          skipped.push({ source: file.source, reason });
        }
      }
    } else if (split === 'private') {
      // Without prefixes, test/ is the public split alone (the copy Kaggle users usually get).
      files = [];
    }
  }

  const fingerprint = createHash('sha256')
    .update(JSON.stringify({ form: 'folder', split, files: files.map((f) => [f.source, f.size, f.mtimeMs]), skipped }))
    .digest('hex');

  return {
    fingerprint,
    location: root,
    async load(collector, onProgress) {
      for (const skip of skipped) collector.skip(skip.source, skip.reason);
      for (let start = 0; start < files.length; start += READ_AHEAD) {
        const batch = files.slice(start, start + READ_AHEAD);
        const contents = await Promise.all(batch.map((file) => readFile(file.path)));
        batch.forEach((file, i) => {
          let resized: boolean;
          try {
            resized = decodeGray48(contents[i]!, collector.slot());
          } catch (error) {
            collector.skip(file.source, `cannot decode JPEG (${errorText(error)})`);
            return;
          }
          collector.commit(file.label, file.source, resized);
        });
        onProgress?.(start + batch.length, files.length);
      }
    },
  };
}

/**
 * Decodes a JPEG into `out` as 48x48 BT.601 luma. jpeg-js always hands back RGB, grayscale JPEGs as
 * R=G=B, and the luma weights sum to 1, so gray files come through unchanged. Returns whether the image
 * had to be resized.
 */
function decodeGray48(bytes: Uint8Array, out: Uint8Array): boolean {
  const { width, height, data } = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: false });
  if (width === 0 || height === 0 || data.length !== width * height * 3) throw new Error(`bad image size ${width}x${height}`);
  const luma = (i: number) => 0.299 * data[3 * i]! + 0.587 * data[3 * i + 1]! + 0.114 * data[3 * i + 2]!;
  if (width === IMAGE_SIZE && height === IMAGE_SIZE) {
    for (let i = 0; i < IMAGE_PIXELS; i++) out[i] = Math.round(luma(i));
    return false;
  }
  const gray = new Float64Array(width * height);
  for (let i = 0; i < gray.length; i++) gray[i] = luma(i);
  resizeArea(gray, width, height, out);
  return true;
}

/**
 * Area-averaging resize to 48x48: each output pixel is the mean of the source area it covers, which
 * neither aliases when shrinking nor invents detail when enlarging.
 */
function resizeArea(src: Float64Array, width: number, height: number, out: Uint8Array): void {
  const xs = areaWeights(width, IMAGE_SIZE);
  const ys = areaWeights(height, IMAGE_SIZE);
  const rows = new Float64Array(height * IMAGE_SIZE);
  for (let y = 0; y < height; y++) {
    xs.forEach(({ start, weights }, x) => {
      let sum = 0;
      weights.forEach((w, k) => (sum += w * src[y * width + start + k]!));
      rows[y * IMAGE_SIZE + x] = sum;
    });
  }
  ys.forEach(({ start, weights }, y) => {
    for (let x = 0; x < IMAGE_SIZE; x++) {
      let sum = 0;
      weights.forEach((w, k) => (sum += w * rows[(start + k) * IMAGE_SIZE + x]!));
      out[y * IMAGE_SIZE + x] = Math.min(255, Math.max(0, Math.round(sum)));
    }
  });
}

/** For each output index, the first source index it covers and the covered fractions (summing to 1). */
function areaWeights(srcLength: number, dstLength: number): { start: number; weights: number[] }[] {
  const scale = srcLength / dstLength;
  return Array.from({ length: dstLength }, (_, d) => {
    const lo = d * scale;
    const hi = lo + scale;
    const start = Math.floor(lo);
    const weights: number[] = [];
    for (let s = start; s < Math.min(hi, srcLength); s++) weights.push((Math.min(hi, s + 1) - Math.max(lo, s)) / scale);
    return { start, weights };
  });
}

/** A name cut into text and digit runs; split() with a capture group puts the digit runs at odd indices. */
function naturalKey(name: string): string[] {
  return name.split(/(\d+)/);
}

/**
 * Orders names with digit runs compared as numbers (Training_2 before Training_10), in plain code-unit
 * order otherwise, so the order is the same on every machine and locale.
 */
function compareNatural(a: string[], b: string[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x === y) continue;
    if (i % 2 === 1) {
      const xn = x.replace(/^0+/, '');
      const yn = y.replace(/^0+/, '');
      if (xn.length !== yn.length) return xn.length - yn.length;
      if (xn !== yn) return xn < yn ? -1 : 1;
    }
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

/** Hidden entries (.DS_Store, macOS ._ files) are not data. */
function visible(names: string[]): string[] {
  return names.filter((name) => !name.startsWith('.'));
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
