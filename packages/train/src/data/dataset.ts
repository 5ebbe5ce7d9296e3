import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { readCache, writeCache } from './cache.js';
import { SplitCollector, strictError, type SplitSource } from './collect.js';
import { openCsvSplit } from './csv.js';
import { openFolderSplit } from './folder.js';
import type { LabeledImages, LoadReport, SplitName } from './labeledImages.js';

export type { LabeledImages, LoadReport, SplitName } from './labeledImages.js';

/** Options of {@link loadSplit}. */
export interface LoadOptions {
  /** Throw on the first input that would be skipped, instead of reporting it. */
  strict?: boolean;
  /** Where decoded splits are cached; default `node_modules/.cache/fer` under the working directory. */
  cacheDir?: string;
  /** Progress in opaque work units (files or bytes); only done/total is meaningful. */
  onProgress?: (done: number, total: number) => void;
}

const DEFAULT_CACHE_DIR = join('node_modules', '.cache', 'fer');

/**
 * Loads one split of FER2013 from either form it is distributed in: a folder in the Kaggle layout, or
 * the original fer2013.csv (the file itself, or a folder holding it; that file wins over a Kaggle
 * layout beside it). Decoded splits are cached, keyed by a fingerprint of the inputs, since decoding
 * 28,709 JPEGs is slow. Images come sorted by label, then by file name (numerically) or CSV row, so a
 * given data set always loads in the same order.
 */
export async function loadSplit(
  dataPath: string,
  split: SplitName,
  options: LoadOptions = {},
): Promise<{ images: LabeledImages; report: LoadReport }> {
  const source = await openSource(resolve(dataPath), split);
  const key = createHash('sha256').update(source.location).digest('hex').slice(0, 16);
  const cacheFile = join(resolve(options.cacheDir ?? DEFAULT_CACHE_DIR), `fer2013-${split}-${key}.bin`);

  const cached = await readCache(cacheFile, source.fingerprint, split);
  if (cached !== undefined) {
    const firstSkip = cached.report.skipped[0];
    if (options.strict && firstSkip !== undefined) throw strictError(firstSkip);
    options.onProgress?.(1, 1);
    return cached;
  }

  const collector = new SplitCollector(split, options.strict ?? false);
  await source.load(collector, options.onProgress);
  const result = collector.finish(source.location);
  await writeCache(cacheFile, source.fingerprint, result);
  return result;
}

async function openSource(path: string, split: SplitName): Promise<SplitSource> {
  const info = await stat(path).catch(() => undefined);
  if (info === undefined) throw dataNotFound(path, 'no such file or folder');
  if (info.isFile()) return openCsvSplit(path, split);
  const csv = join(path, 'fer2013.csv');
  if ((await stat(csv).catch(() => undefined))?.isFile()) return openCsvSplit(csv, split);
  for (const folder of ['train', 'test']) {
    if ((await stat(join(path, folder)).catch(() => undefined))?.isDirectory()) return openFolderSplit(path, split);
  }
  throw dataNotFound(path, 'the folder holds neither train/ nor test/ nor fer2013.csv');
}

function dataNotFound(path: string, reason: string): Error {
  return new Error(
    `FER2013 data not found at ${path}: ${reason}. Set FER2013_DIR (or pass the data path) to either a folder in ` +
      `the Kaggle layout (train/<label>/*.jpg, test/<label>/*.jpg) or the original fer2013.csv (or a folder holding it).`,
  );
}
