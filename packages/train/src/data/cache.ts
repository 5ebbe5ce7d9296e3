import { createHash, randomUUID } from 'node:crypto';
import { type FileHandle, open, rename, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { IMAGE_PIXELS, IMAGE_SIZE } from './collect.js';
import type { LabeledImages, LoadReport, SplitName } from './labeledImages.js';
import { makeDirectory } from '../system/fsAtomic.js';

/** Bumped whenever the layout below or the decoding it caches changes, so old files are rebuilt. */
const MAGIC = Buffer.from('FERDATA\u0001', 'latin1');

interface CacheHeader {
  fingerprint: string;
  split: SplitName;
  count: number;
  sources: string[];
  skipped: LoadReport['skipped'];
  resized: number;
  checksum: string;
}

/**
 * SHA-256 (hex) of the pixels then the labels: identifies the exact training data whatever form or
 * path it came from, so the manifest can record what a model was trained on.
 */
export function fingerprintImages(images: LabeledImages): string {
  return createHash('sha256').update(images.pixels).update(images.labels).digest('hex');
}

/**
 * A decoded split saved by {@link writeCache}, or undefined when there is none for this fingerprint or
 * the file is damaged in any way (the caller then decodes again and overwrites it).
 */
export async function readCache(
  file: string,
  fingerprint: string,
  split: SplitName,
): Promise<{ images: LabeledImages; report: LoadReport } | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const { size } = await handle.stat();
    const trailer = Buffer.alloc(4 + MAGIC.length);
    if (size < trailer.length || !(await readAt(handle, trailer, size - trailer.length))) return undefined;
    if (!trailer.subarray(4).equals(MAGIC)) return undefined;
    const headerStart = size - trailer.length - trailer.readUInt32LE(0);
    if (headerStart < 0) return undefined;
    const json = Buffer.alloc(size - trailer.length - headerStart);
    if (!(await readAt(handle, json, headerStart))) return undefined;
    const header = parseHeader(json);
    if (header === undefined || header.fingerprint !== fingerprint || header.split !== split) return undefined;
    const { count } = header;
    if (headerStart !== count * (IMAGE_PIXELS + 1)) return undefined;
    const pixels = new Uint8Array(count * IMAGE_PIXELS);
    const labels = new Uint8Array(count);
    if (!(await readAt(handle, pixels, 0)) || !(await readAt(handle, labels, pixels.length))) return undefined;
    const images: LabeledImages = { split, size: IMAGE_SIZE, count, pixels, labels, sources: header.sources };
    if (fingerprintImages(images) !== header.checksum) return undefined;
    return { images, report: { loaded: count, skipped: header.skipped, resized: header.resized, cached: true } };
  } catch {
    return undefined;
  } finally {
    await handle.close();
  }
}

function parseHeader(json: Buffer): CacheHeader | undefined {
  let header: Partial<CacheHeader>;
  try {
    header = JSON.parse(json.toString('utf8')) as Partial<CacheHeader>;
  } catch {
    return undefined;
  }
  const { count, sources, skipped, resized, fingerprint, split, checksum } = header;
  if (
    typeof fingerprint !== 'string' ||
    typeof split !== 'string' ||
    typeof checksum !== 'string' ||
    typeof count !== 'number' ||
    !Number.isInteger(count) ||
    count <= 0 ||
    !Array.isArray(sources) ||
    sources.length !== count ||
    !Array.isArray(skipped) ||
    typeof resized !== 'number'
  ) {
    return undefined;
  }
  return { fingerprint, split, count, sources, skipped, resized, checksum };
}

/** Fills `target` from `position`; false when the file ends first. */
async function readAt(handle: FileHandle, target: Uint8Array, position: number): Promise<boolean> {
  for (let done = 0; done < target.length;) {
    const { bytesRead } = await handle.read(target, done, target.length - done, position + done);
    if (bytesRead === 0) return false;
    done += bytesRead;
  }
  return true;
}

/**
 * Saves a decoded split under `fingerprint`. Written to a temporary file and renamed into place, so a
 * crash or a concurrent run never leaves a half-written cache behind.
 */
export async function writeCache(
  file: string,
  fingerprint: string,
  { images, report }: { images: LabeledImages; report: LoadReport },
): Promise<void> {
  const header: CacheHeader = {
    fingerprint,
    split: images.split,
    count: images.count,
    sources: images.sources,
    skipped: report.skipped,
    resized: report.resized,
    checksum: fingerprintImages(images),
  };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32LE(json.length);
  const temp = `${file}.${randomUUID()}.tmp`;
  await makeDirectory(dirname(file));
  try {
    // Pixels first, so they are read straight into their own buffer; the header is found from the end.
    await writeFile(temp, [images.pixels, images.labels, json, length, MAGIC]);
    await rename(temp, file);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}
