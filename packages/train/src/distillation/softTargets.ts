/**
 * The teacher's soft targets: for every distinct Training face, the probabilities an ensemble of
 * trained CNNs gives it. Computed once (`fer teacher`) and shipped in packages/train/teacher/, so retraining
 * the student needs no checkpoint. Keyed by each face's pixel hash, so they serve either form of
 * FER2013 and any load order.
 *
 * Files: `soft-targets.json` (the header below, with the binary file's SHA-256) and `soft-targets.bin`:
 * `count` hashes of PIXEL_HASH_BYTES bytes, ascending, then `count` x 7 probabilities as float16.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Float16Array } from '@petamoriken/float16';
import { EXPRESSIONS, NUM_EXPRESSIONS, TeacherProvenanceSchema, type TeacherProvenance } from '@fer/core';
import { z } from 'zod';
import type { LabeledImages } from '../data/dataset.js';
import { PIXEL_HASH_BYTES, pixelHashes } from '../data/pixelHash.js';
import { writeFolderAtomically } from '../system/fsAtomic.js';

export const SOFT_TARGETS_JSON = 'soft-targets.json';
export const SOFT_TARGETS_BIN = 'soft-targets.bin';

export const softTargetsHeaderSchema = z.object({
  format: z.literal('fer-soft-targets'),
  version: z.literal(1),
  labels: z.array(z.string()).length(NUM_EXPRESSIONS),
  count: z.number().int().positive(),
  hashBytes: z.literal(PIXEL_HASH_BYTES),
  binSha256: z.string().length(64),
  teacher: TeacherProvenanceSchema,
});

export type SoftTargetsHeader = z.infer<typeof softTargetsHeaderSchema>;
export type { TeacherProvenance };

/** Soft targets in memory: one probability row per distinct face. */
export interface SoftTargets {
  teacher: TeacherProvenance;
  /** Row of each face's probabilities, by pixel hash. */
  rows: ReadonlyMap<string, number>;
  /** [count, 7], rows in ascending hash order. */
  probabilities: Float32Array;
}

/** Builds soft targets from per-face probabilities (rows of `probabilities` follow `hashes`). */
export function softTargetsFrom(hashes: readonly string[], probabilities: Float32Array, teacher: TeacherProvenance): SoftTargets {
  const order = hashes.map((hash, i) => ({ hash, i })).sort((a, b) => (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0));
  const sorted = new Float32Array(order.length * NUM_EXPRESSIONS);
  const rows = new Map<string, number>();
  order.forEach(({ hash, i }, row) => {
    if (rows.has(hash)) throw new Error(`soft targets: face ${hash} appears twice`);
    rows.set(hash, row);
    sorted.set(probabilities.subarray(i * NUM_EXPRESSIONS, (i + 1) * NUM_EXPRESSIONS), row * NUM_EXPRESSIONS);
  });
  return { teacher, rows, probabilities: sorted };
}

/** Writes the two files into `folder`, atomically (the folder holds only them). */
export async function writeSoftTargets(folder: string, targets: SoftTargets): Promise<SoftTargetsHeader> {
  const count = targets.rows.size;
  const hashes = new Uint8Array(count * PIXEL_HASH_BYTES);
  for (const [hash, row] of targets.rows) hashes.set(Buffer.from(hash, 'hex'), row * PIXEL_HASH_BYTES);
  const halves = Float16Array.from(targets.probabilities);
  const bin = new Uint8Array(hashes.length + halves.byteLength);
  bin.set(hashes);
  bin.set(new Uint8Array(halves.buffer), hashes.length);
  const header: SoftTargetsHeader = {
    format: 'fer-soft-targets',
    version: 1,
    labels: [...EXPRESSIONS],
    count,
    hashBytes: PIXEL_HASH_BYTES,
    binSha256: createHash('sha256').update(bin).digest('hex'),
    teacher: targets.teacher,
  };
  await writeFolderAtomically(
    folder,
    new Map<string, Uint8Array | string>([
      [SOFT_TARGETS_JSON, `${JSON.stringify(header, null, 2)}\n`],
      [SOFT_TARGETS_BIN, bin],
    ]),
  );
  return header;
}

/** Reads and verifies soft targets written by `writeSoftTargets`; errors name the file and what is wrong. */
export async function readSoftTargets(folder: string): Promise<SoftTargets> {
  const jsonPath = join(folder, SOFT_TARGETS_JSON);
  const binPath = join(folder, SOFT_TARGETS_BIN);
  const text = await readFile(jsonPath, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new Error(`soft targets: cannot read ${jsonPath} (${error.code ?? error.message}); they are made by \`pnpm teacher\``);
  });
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`soft targets: ${jsonPath} is not valid JSON (${error instanceof Error ? error.message : String(error)})`, { cause: error });
  }
  const header = softTargetsHeaderSchema.safeParse(parsed);
  if (!header.success) throw new Error(`soft targets: ${jsonPath} is malformed: ${z.prettifyError(header.error)}`);
  const { count, labels, binSha256, teacher } = header.data;
  if (labels.join() !== EXPRESSIONS.join())
    throw new Error(`soft targets: ${jsonPath} has labels ${labels.join(', ')}, expected ${EXPRESSIONS.join(', ')}`);
  const bin = new Uint8Array(await readFile(binPath));
  const expectedBytes = count * (PIXEL_HASH_BYTES + 2 * NUM_EXPRESSIONS);
  if (bin.length !== expectedBytes) throw new Error(`soft targets: ${binPath} has ${bin.length} bytes, its header says ${expectedBytes}`);
  if (createHash('sha256').update(bin).digest('hex') !== binSha256)
    throw new Error(`soft targets: ${binPath} does not match the SHA-256 in ${jsonPath}`);
  const rows = new Map<string, number>();
  for (let row = 0; row < count; row++)
    rows.set(Buffer.from(bin.subarray(row * PIXEL_HASH_BYTES, (row + 1) * PIXEL_HASH_BYTES)).toString('hex'), row);
  const halves = new Float16Array(bin.slice(count * PIXEL_HASH_BYTES).buffer);
  return { teacher, rows, probabilities: Float32Array.from(halves) };
}

/**
 * The teacher's probabilities for each of `images` ([count, 7], in their order). Every face must have
 * targets: a missing one means another data set or a different teacher, which the caller must hear about.
 */
export function targetsFor(images: LabeledImages, targets: SoftTargets): Float32Array {
  const out = new Float32Array(images.count * NUM_EXPRESSIONS);
  const missing: number[] = [];
  pixelHashes(images).forEach((hash, i) => {
    const row = targets.rows.get(hash);
    if (row === undefined) missing.push(i);
    else out.set(targets.probabilities.subarray(row * NUM_EXPRESSIONS, (row + 1) * NUM_EXPRESSIONS), i * NUM_EXPRESSIONS);
  });
  if (missing.length > 0) {
    const examples = missing
      .slice(0, 3)
      .map((i) => images.sources[i])
      .join(', ');
    throw new Error(
      `soft targets: ${missing.length} of ${images.count} Training faces have none (e.g. ${examples}); were they made from this data set?`,
    );
  }
  return out;
}
