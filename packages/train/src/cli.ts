#!/usr/bin/env -S npx tsx
/**
 * The `fer` command line: `pnpm train` and `pnpm eval` at the repository root run it.
 * Paths are resolved from the directory the command was started in.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Argument, Command, InvalidArgumentError, Option } from 'commander';
import { runBench } from './commands/bench.js';
import { runEval } from './commands/eval.js';
import { PRESETS, type PresetName } from './commands/presets.js';
import { STUDIES, runStudy, type StudyName } from './commands/study.js';
import { DEFAULT_TEACHER_THREADS, runTeacher } from './commands/teacher.js';
import { runTrain } from './commands/train.js';
import { VIEW_SETS } from './model/viewSets.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const defaultData = process.env.FER2013_DIR ?? resolve(repoRoot, '../shared/datasets/fer2013');

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

/** Like positiveInteger, with 0 allowed (a seed of 0 is as good as any). */
function nonNegativeInteger(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected an integer 0 or above');
  return n;
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number');
  return n;
}

function numberList(value: string): number[] {
  return value.split(',').map((part) => positiveNumber(part.trim()));
}

function nameList(value: string): string[] {
  const names = value.split(',').map((part) => part.trim());
  if (names.some((name) => name === '')) throw new InvalidArgumentError('expected comma-separated names, e.g. block_last_pool,embedding');
  return names;
}

const backendOption = () =>
  new Option('--backend <name>', 'tfjs backend: tfjs-node when it loads, else wasm').choices(['auto', 'node', 'wasm']).default('auto');

const program = new Command('fer').description('Train, evaluate and export the FER2013 CNN + SVM expression classifier.').showHelpAfterError();

program
  .command('train')
  .description(
    'train the CNN on FER2013 (distilled from the teacher), fit the SVM on its features, choose on a validation split carved from Training, test once on PublicTest, export to models/',
  )
  .option('--data <path>', 'FER2013: Kaggle folder (train/, test/) or fer2013.csv; env FER2013_DIR', defaultData)
  .option('--out <dir>', 'where the verified artifacts are exported', resolve(repoRoot, 'models'))
  .option(
    '--run <dir>',
    'checkpoint folder (last/ every epoch, best/ by validation accuracy, snapshots/ at each learning-rate cycle end)',
    resolve(repoRoot, 'runs/default'),
  )
  .addOption(
    new Option(
      '--preset <name>',
      Object.entries(PRESETS)
        .map(([name, p]) => `${name}: ${p.description}`)
        .join('; '),
    )
      .choices(Object.keys(PRESETS))
      .default('default'),
  )
  .option('--epochs <n>', 'epochs (overrides the preset; with --resume, may extend training)', positiveInteger)
  .option('--batch-size <n>', 'images per training step', positiveInteger)
  .option('--replicas <n>', 'data-parallel replicas sharing each batch, one thread (core) each (preset: 2)', positiveInteger)
  .option('--lr <rate>', "Adam's initial learning rate (cosine-decayed)", positiveNumber)
  .option('--width <n>', 'filters in the first conv block (doubling per block)', positiveInteger)
  .option('--seed <n>', 'seed for initialization, shuffling, augmentation and dropout', nonNegativeInteger)
  .option(
    '--feature-layers <list>',
    'comma-separated CNN layers whose flattened outputs, side by side, feed the SVM (embedding, flatten, block_last_pool, block3_pool...)',
    nameList,
  )
  .option(
    '--ensemble <n>',
    "fuse the exported CNN (the best, or --cnn-epoch's) with the n-1 latest other learning-rate-cycle snapshots; the SVM reads all their features (n times the inference cost)",
    positiveInteger,
  )
  .option(
    '--cnn-epoch <n>',
    "export this epoch's CNN (the best one, or a learning-rate-cycle end in snapshots/) instead of the best epoch's",
    positiveInteger,
  )
  .option('--no-mirror-average', 'SVM features from the face alone, not averaged with its mirror image')
  .addOption(
    new Option(
      '--test-time-views <set>',
      `transformed copies of each face whose scores the classifier averages with its own (see pnpm study views; presets: ${Object.entries(PRESETS)
        .map(([name, preset]) => `${name} ${preset.testTimeViews}`)
        .join(', ')})`,
    ).choices(Object.keys(VIEW_SETS)),
  )
  .addOption(
    new Option(
      '--weight-precision <type>',
      'precision of the exported CNN weights (float16: half the download; the SVM is fitted on the rounded CNN)',
    )
      .choices(['float16', 'float32'])
      .default('float16'),
  )
  .option('--svm-c <list>', 'comma-separated SVM C candidates, chosen on the validation split', numberList)
  .option('--pixel-svm-c <list>', 'C candidates of the raw-pixel baseline SVM (the quick preset fits no baseline)', numberList)
  .option('--teacher <dir>', "the teacher's soft targets (pnpm teacher)", resolve(repoRoot, 'packages/train/teacher'))
  .option('--limit <n>', 'use at most n images per split (stratified), for smoke runs', positiveInteger)
  .addOption(backendOption())
  .option('--resume', 'continue from the last checkpoint in --run', false)
  .option('--strict', 'fail on the first unreadable image or CSV row instead of skipping it', false)
  .option('--force', 'export even if --out holds more than a previous export (everything in it is replaced)', false)
  .action(async (options: { preset: PresetName; lr?: number } & Omit<Parameters<typeof runTrain>[0], 'preset' | 'learningRate'>) => {
    const { lr, ...rest } = options;
    process.exitCode = await runTrain({ ...rest, learningRate: lr });
  });

program
  .command('teacher')
  .description(
    "compute the soft targets the student is distilled from: an ensemble of earlier runs' CNNs on every Training face, into packages/train/teacher/",
  )
  .option('--data <path>', 'FER2013: Kaggle folder or fer2013.csv; env FER2013_DIR', defaultData)
  .option('--runs <list>', 'comma-separated run folders whose snapshots/ hold the candidate members', nameList, [
    resolve(repoRoot, 'checkpoints/default'),
    resolve(repoRoot, 'checkpoints/sixth-cycle'),
  ])
  .option('--min-epoch <n>', 'members: every snapshot from this epoch on, each distinct CNN once', positiveInteger, 60)
  .addOption(
    new Option('--views <set>', 'test-time views each member looks at (with mirror images)').choices(Object.keys(VIEW_SETS)).default('zoom-turn'),
  )
  .option('--out <dir>', 'where the soft targets are written', resolve(repoRoot, 'packages/train/teacher'))
  .option('--work <dir>', "cache of each member's probabilities, so an interrupted run resumes", resolve(repoRoot, 'runs/teacher'))
  .option('--threads <n>', 'worker threads sharing the faces, one core each', positiveInteger, DEFAULT_TEACHER_THREADS)
  .option('--limit <n>', 'score at most n Training faces (stratified), for smoke runs', positiveInteger)
  .option('--strict', 'fail on the first unreadable image or CSV row instead of skipping it', false)
  .action(async (options: Omit<Parameters<typeof runTeacher>[0], 'repoRoot'>) => {
    process.exitCode = await runTeacher({ ...options, runs: options.runs.map((run) => resolve(run)), repoRoot });
  });

program
  .command('eval')
  .description('score an exported models/ folder on labeled FER2013 data (CNN+SVM and the CNN softmax head)')
  .option('--data <path>', 'FER2013: Kaggle folder or fer2013.csv; env FER2013_DIR', defaultData)
  .option('--models <dir>', 'the artifact folder to score', resolve(repoRoot, 'models'))
  .addOption(
    new Option(
      '--split <name>',
      'which split to score: a test split (also scored without the faces repeated from Training), or the validation split train carves from Training',
    )
      .choices(['public', 'private', 'validation', 'train'])
      .default('public'),
  )
  .option('--json <file>', 'also write the metrics as JSON')
  .option('--limit <n>', 'score at most n images (stratified)', positiveInteger)
  .addOption(backendOption())
  .option('--strict', 'fail on the first unreadable image or CSV row instead of skipping it', false)
  .action(async (options: Parameters<typeof runEval>[0]) => {
    process.exitCode = await runEval(options);
  });

program
  .command('bench')
  .description('time a training step (stock wasm, patched wasm, tfjs-node), break it down by kernel, time inference; writes JSON')
  .addOption(new Option('--preset <name>', 'whose CNN to time').choices(Object.keys(PRESETS)).default('default'))
  .option('--steps <n>', 'timed training steps per backend, after 2 warm-up steps', positiveInteger, 10)
  .option('--models <dir>', 'the CNN+SVM whose inference is timed', resolve(repoRoot, 'models'))
  .option('--out <file>', 'JSON results (default: bench-results/train-<timestamp>.json)')
  .action(async (options: Omit<Parameters<typeof runBench>[0], 'resultsDir'>) => {
    process.exitCode = await runBench({ ...options, resultsDir: resolve(repoRoot, 'bench-results') });
  });

program
  .command('study')
  .description("rerun one of the method's studies on the shipped model; its table goes into models/REPORT.md")
  .addArgument(
    new Argument(
      '<study>',
      Object.entries(STUDIES)
        .map(([name, what]) => `${name}: ${what}`)
        .join('; '),
    ).choices(Object.keys(STUDIES)),
  )
  .option('--data <path>', 'FER2013: Kaggle folder or fer2013.csv; env FER2013_DIR', defaultData)
  .option('--models <dir>', 'the artifact folder whose CNN is studied (and whose REPORT.md gets the table)', resolve(repoRoot, 'models'))
  .option('--sample <n>', 'kernel study: Training images the exact RBF SVM is fitted on (ml-svm keeps an n x n matrix)', positiveInteger, 1000)
  .addOption(backendOption())
  .option('--strict', 'fail on the first unreadable image or CSV row instead of skipping it', false)
  .action(async (study: StudyName, options: Omit<Parameters<typeof runStudy>[0], 'study'>) => {
    process.exitCode = await runStudy({ ...options, study });
  });

program.parseAsync().catch((error: unknown) => {
  console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
  // Exit now rather than when the event loop drains: a timer or worker thread left behind by the
  // failed work (a progress bar, a replica pool) would otherwise keep a failed command running.
  // Writes to stderr/stdout are synchronous for files and pipes on Linux, so nothing is lost.
  process.exit(1);
});
