/**
 * `fer teacher`: the soft targets the student is distilled from. An ensemble of CNNs from earlier
 * runs (their learning-rate cycle-end snapshots) looks at every distinct Training face with test-time
 * views; the mean of their probabilities is saved in packages/train/teacher/ with its provenance. Each
 * member's probabilities are cached in `--work`, so an interrupted run resumes member by member.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile, readdir, rename, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join, relative } from 'node:path';
import { NUM_EXPRESSIONS, passesPerFace, faceViews, type InputSpec } from '@fer/core';
import { selectTrainingBackend } from '../backend/selectBackend.js';
import { fingerprintImages } from '../data/cache.js';
import type { LabeledImages } from '../data/dataset.js';
import { inputSpecFor } from '../data/inputSpec.js';
import { pixelHashes } from '../data/pixelHash.js';
import { selectImages } from '../data/subsample.js';
import { softTargetsFrom, writeSoftTargets, type TeacherProvenance } from '../distillation/softTargets.js';
import { FEATURE_LAYERS } from '../model/cnn.js';
import { VIEW_SETS, type ViewSetName } from '../model/viewSets.js';
import { extractFeatures } from '../training/features.js';
import { makeDirectory } from '../system/fsAtomic.js';
import { startProgress } from '../ui/progress.js';
import { loadForCommand } from './loadData.js';

export interface TeacherCommandOptions {
  data: string;
  /** Run folders whose `snapshots/epoch-NNN` are candidate members. */
  runs: string[];
  /** Members: every snapshot from this epoch on (cycles of 32 epochs or more), distinct by weights. */
  minEpoch: number;
  views: ViewSetName;
  out: string;
  work: string;
  threads: number;
  /** Score at most this many Training faces (stratified), for smoke runs; such targets cannot train the shipped student. */
  limit?: number;
  repoRoot: string;
  strict: boolean;
}

interface Member {
  dir: string;
  epoch: number;
  weightsSha256: string;
}

/** The members by the rule stated in advance: snapshots at or after `minEpoch`, each distinct CNN once. */
async function chooseMembers(runs: readonly string[], minEpoch: number): Promise<Member[]> {
  const members = new Map<string, Member>();
  for (const run of runs) {
    const names = await readdir(join(run, 'snapshots')).catch(() => {
      // The committed teacher's members left the repository with checkpoints/: its provenance names the commit that held them.
      throw new Error(
        `--runs: ${run} has no snapshots/ folder (to recompute the shipped soft targets, check out the commit named in their provenance)`,
      );
    });
    for (const name of names.sort()) {
      const epoch = Number(/^epoch-(\d+)$/.exec(name)?.[1] ?? Number.NaN);
      if (!(epoch >= minEpoch)) continue;
      const dir = join(run, 'snapshots', name);
      const weightsSha256 = createHash('sha256')
        .update(await readFile(join(dir, 'weights.bin')))
        .digest('hex');
      if (!members.has(weightsSha256)) members.set(weightsSha256, { dir, epoch, weightsSha256 });
    }
  }
  if (members.size === 0) throw new Error(`no snapshot from epoch ${minEpoch} on in ${runs.join(', ')}`);
  return [...members.values()].sort((a, b) => a.epoch - b.epoch);
}

/** One member's probabilities for `faces`, from the cache or computed by `options.threads` worker threads. */
async function memberProbabilities(
  member: Member,
  faces: LabeledImages,
  input: InputSpec,
  options: TeacherCommandOptions,
  onProgress: (done: number) => void,
): Promise<Float32Array> {
  // What the probabilities depend on: the weights, the faces, the views and the pixel normalization.
  const normalization = `${input.height}x${input.width}:${input.mean}:${input.std}`;
  const key = createHash('sha256')
    .update(`${member.weightsSha256}:${fingerprintImages(faces)}:${options.views}:${normalization}`)
    .digest('hex')
    .slice(0, 24);
  const cacheFile = join(options.work, `member-${key}.f32`);
  const cached = await readFile(cacheFile).catch(() => undefined);
  if (cached !== undefined && cached.length === faces.count * NUM_EXPRESSIONS * 4) {
    onProgress(faces.count);
    return new Float32Array(cached.buffer, cached.byteOffset, faces.count * NUM_EXPRESSIONS);
  }
  const model = { modelJson: await readFile(join(member.dir, 'model.json')), weights: await readFile(join(member.dir, 'weights.bin')) };
  const views = faceViews(input, true, VIEW_SETS[options.views].views);
  // Only the softmax head's probabilities are kept: the layer named is any the network has.
  const { cnnProbabilities: probabilities } = await extractFeatures(model, FEATURE_LAYERS.embedding, faces, input, views, {
    threads: options.threads,
    probabilitiesOnly: true,
    onProgress,
  });
  await makeDirectory(options.work);
  await writeFile(`${cacheFile}.tmp`, probabilities);
  await rename(`${cacheFile}.tmp`, cacheFile);
  return probabilities;
}

function gitCommit(repoRoot: string): string {
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: repoRoot, encoding: 'utf8' }).trim() !== '';
    return dirty ? `${commit} (with uncommitted changes)` : commit;
  } catch {
    return 'unknown (not a git checkout)';
  }
}

export async function runTeacher(options: TeacherCommandOptions): Promise<number> {
  const backend = await selectTrainingBackend({ prefer: 'wasm' });
  const members = await chooseMembers(options.runs, options.minEpoch);
  console.error(`teacher: ${members.length} members (${members.map((m) => `${relative(options.repoRoot, m.dir)}`).join(', ')})`);

  const train = await loadForCommand(options.data, 'train', { strict: options.strict, limit: options.limit });
  // The members were trained on inputs normalised by all of Training's pixels.
  const input = inputSpecFor(train);
  const hashes = pixelHashes(train);
  const firstOfEach = [...new Map(hashes.map((hash, i) => [hash, i] as const).reverse()).values()].sort((a, b) => a - b);
  const faces = selectImages(train, firstOfEach);
  const views = faceViews(input, true, VIEW_SETS[options.views].views);
  console.error(
    `${faces.count} distinct faces, ${passesPerFace(views)} CNN passes each per member, ${options.threads} threads (${backend.description})`,
  );

  const done = members.map(() => 0);
  const bar = startProgress('teacher', members.length * faces.count, 'faces');
  let sum: Float32Array;
  try {
    const all: Float32Array[] = [];
    for (const [m, member] of members.entries()) {
      all.push(
        await memberProbabilities(member, faces, input, options, (count) => {
          done[m] = count;
          bar.update(done.reduce((a, b) => a + b, 0));
        }),
      );
    }
    sum = new Float32Array(faces.count * NUM_EXPRESSIONS);
    for (const probabilities of all) probabilities.forEach((p, i) => (sum[i] = (sum[i] as number) + p / all.length));
  } finally {
    bar.stop();
  }

  const teacher: TeacherProvenance = {
    rule: `every learning-rate cycle-end snapshot from epoch ${options.minEpoch} on (cycles of 32 epochs or more) in ${options.runs.map((r) => relative(options.repoRoot, r)).join(' and ')}, each distinct CNN once; fixed before any was scored`,
    members: members.map((m) => ({ path: relative(options.repoRoot, m.dir), epoch: m.epoch, weightsSha256: m.weightsSha256 })),
    views: `the face and its mirror image, ${VIEW_SETS[options.views].title} (view set '${options.views}'); probabilities averaged over views, then members`,
    passesPerFace: passesPerFace(views) * members.length,
    command: `pnpm teacher ${process.argv.slice(3).join(' ')}`.trim(),
    commit: gitCommit(options.repoRoot),
    createdAt: new Date().toISOString(),
    backend: backend.description,
    trainingFingerprint: fingerprintImages(train),
  };
  const header = await writeSoftTargets(options.out, softTargetsFrom(pixelHashes(faces), sum, teacher));
  console.log(`soft targets for ${header.count} faces written to ${options.out}`);
  return 0;
}

export const DEFAULT_TEACHER_THREADS = Math.max(1, cpus().length);
