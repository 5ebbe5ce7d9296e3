/**
 * Chooses when the app calls a prediction "unsure", from labelled faces the model was not fitted
 * on, using the calibrated probabilities the app shows (core's ExpressionClassifier, the same code).
 *
 *   node --import tsx apps/web/scripts/choose-unsure-threshold.ts [--split validation|public]
 *        [--models DIR] [--data DIR] [--target 0.8] [--out FILE] [--limit N]
 *
 * A face is unsure when its top probability is below `minTop` or its lead over the second is below
 * `minMargin`. Of a grid of (minTop, minMargin) pairs, the one kept shows the most faces as sure
 * while the sure faces' labels are right at least `--target` of the time; the report gives the
 * accuracy of the shown label above and below it. The result (with the model's identity, the
 * split and the command) is written to `--out` (default src/lib/confidence/unsureThresholds.json),
 * which the app imports.
 *
 * The faces come from packages/train's loader (`loadScoredSplit`), so 'validation' is exactly the
 * split `pnpm train` carves from Training. It is imported by path at run time: the app does not
 * depend on the training package, and its type check should not compile it.
 */
import { writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { ExpressionClassifier, NUM_EXPRESSIONS, pixelsToInput, type ArtifactReader } from '@fer/core';
import { UNSURE_GRID, chooseThresholds, type ThresholdCandidate, type UnsureThresholdRecord } from '../src/lib/confidence/unsure.js';

const repoDir = fileURLToPath(new URL('../../../', import.meta.url));
const trainSrc = join(repoDir, 'packages/train/src');

/** The parts of packages/train this script calls, typed here so the app's type check need not compile train. */
interface TrainModules {
  loadScoredSplit(
    data: string,
    split: 'validation' | 'public',
    options: { strict: boolean; limit?: number },
  ): Promise<{ images: { count: number; pixels: Uint8Array; labels: Uint8Array }; title: string }>;
  folderReader(folder: string): ArtifactReader;
  selectTrainingBackend(options: { prefer: 'auto' | 'node' | 'wasm' }): Promise<{ description: string }>;
}

async function importTrain(): Promise<TrainModules> {
  const load = (path: string) => import(pathToFileURL(join(trainSrc, path)).href) as Promise<Record<string, unknown>>;
  const [data, reader, backend] = await Promise.all([load('commands/loadData.ts'), load('export/nodeReader.ts'), load('backend/selectBackend.ts')]);
  return {
    loadScoredSplit: data['loadScoredSplit'] as TrainModules['loadScoredSplit'],
    folderReader: reader['folderReader'] as TrainModules['folderReader'],
    selectTrainingBackend: backend['selectTrainingBackend'] as TrainModules['selectTrainingBackend'],
  };
}

const { values: args } = parseArgs({
  options: {
    split: { type: 'string', default: 'validation' },
    models: { type: 'string', default: join(repoDir, 'models') },
    data: { type: 'string', default: process.env.FER2013_DIR ?? resolve(repoDir, '../shared/datasets/fer2013') },
    target: { type: 'string', default: '0.8' },
    out: { type: 'string', default: fileURLToPath(new URL('../src/lib/confidence/unsureThresholds.json', import.meta.url)) },
    limit: { type: 'string' },
    /** Why this split, when it is not the obvious one; shown with the figures. */
    note: { type: 'string' },
  },
});

const split = args.split;
if (split !== 'validation' && split !== 'public') throw new Error(`--split must be validation or public, got ${split}`);
const target = Number(args.target);
if (!(target > 0 && target < 1)) throw new Error(`--target must be in (0, 1), got ${args.target}`);

const train = await importTrain();
const backend = await train.selectTrainingBackend({ prefer: 'auto' });
console.error(`backend: ${backend.description}`);
const classifier = await ExpressionClassifier.create(train.folderReader(args.models));
const manifest = classifier.manifest;
const { images, title } = await train.loadScoredSplit(args.data, split, {
  strict: false,
  ...(args.limit === undefined ? {} : { limit: Number(args.limit) }),
});

// A model fitted on all of Training has seen the faces 'validation' carves from it: its figures there flatter it.
if (split === 'validation' && !('validation' in manifest.data.counts)) {
  console.error('warning: this model records no validation split: it may have been fitted on these faces, and its figures here would flatter it');
}

// Calibrated probabilities exactly as the app computes them: SVM scores through the manifest's temperature.
const area = manifest.input.height * manifest.input.width;
const probabilities = new Float32Array(images.count * NUM_EXPRESSIONS);
const batch = 32;
for (let start = 0; start < images.count; start += batch) {
  const count = Math.min(batch, images.count - start);
  const p = tf.tidy(() => {
    const input = pixelsToInput(images.pixels.subarray(start * area, (start + count) * area), count, manifest.input);
    return classifier.calibrate(classifier.svmScores(input));
  });
  probabilities.set(await p.data<'float32'>(), start * NUM_EXPRESSIONS);
  p.dispose();
  if (start % (batch * 20) === 0) console.error(`  ${start + count}/${images.count}`);
}
classifier.dispose();

const choice = chooseThresholds(probabilities, images.labels, UNSURE_GRID, target);
const row = (c: ThresholdCandidate) =>
  `| ${c.minTop.toFixed(2)} | ${c.minMargin.toFixed(2)} | ${(c.sureShare * 100).toFixed(1)}% | ${(c.sureAccuracy * 100).toFixed(1)}% | ${(c.unsureAccuracy * 100).toFixed(1)}% |`;
console.log(`${title}: ${images.count} faces, overall accuracy ${(choice.overallAccuracy * 100).toFixed(1)}%\n`);
console.log('| min top | min margin | shown as sure | accuracy sure | accuracy unsure |\n| --- | --- | --- | --- | --- |');
for (const c of choice.table) console.log(row(c));
console.log(`\nchosen (most faces sure while sure faces are right >= ${(target * 100).toFixed(0)}%):\n${row(choice.chosen)}`);

// What produced the figures: --out only says where they went, and the note is recorded beside them.
const argv = process.argv.slice(2);
const shown: string[] = [];
for (let i = 0; i < argv.length; i++) {
  const arg = argv[i] as string;
  if (arg === '--out' || arg === '--note') {
    if (arg === '--note') shown.push('--note "<the note below>"');
    i++;
  } else if (arg.startsWith('--note=')) shown.push('--note "<the note below>"');
  else if (!arg.startsWith('--out=')) shown.push(arg);
}
const command = ['node --import tsx apps/web/scripts/choose-unsure-threshold.ts', ...shown].join(' ');
const record: UnsureThresholdRecord = {
  minTop: choice.chosen.minTop,
  minMargin: choice.chosen.minMargin,
  target,
  split: title,
  faces: images.count,
  overallAccuracy: choice.overallAccuracy,
  sureShare: choice.chosen.sureShare,
  sureAccuracy: choice.chosen.sureAccuracy,
  unsureAccuracy: choice.chosen.unsureAccuracy,
  model: {
    createdAt: manifest.createdAt,
    svmSha256: manifest.files[manifest.svm.path]?.sha256 ?? '',
    calibratedOn: manifest.calibration.fittedOn,
  },
  command,
  ...(args.note === undefined ? {} : { note: args.note }),
};
writeFileSync(args.out, `${JSON.stringify(record, null, 2)}\n`);
console.error(`written to ${relative(process.cwd(), args.out)}`);
