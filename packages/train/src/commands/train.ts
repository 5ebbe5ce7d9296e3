import { readFile, readdir } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { faceViews, passesPerFace, type FaceViews, type InputSpec } from '@fer/core';
import { selectTrainingBackend, type BackendInfo, type BackendPreference } from '../backend/selectBackend.js';
import { fingerprintImages } from '../data/cache.js';
import type { LabeledImages } from '../data/dataset.js';
import { inputSpecFor } from '../data/inputSpec.js';
import { subsample } from '../data/subsample.js';
import { DEFAULT_VALIDATION_SPLIT, repeatsOf } from '../data/validationSplit.js';
import { readSoftTargets, targetsFor, type TeacherProvenance } from '../distillation/softTargets.js';
import { evaluateScores } from '../evaluation/metrics.js';
import {
  CLASSIFIER_NAMES,
  HISTORY_CHART,
  comparisonTable,
  confusionSvg,
  historySvg,
  renderReport,
  type ClassifierMetrics,
} from '../evaluation/report.js';
import { exportModels, type WeightPrecision } from '../export/exportModels.js';
import { roundWeightsToFloat16 } from '../export/float16.js';
import { summarizeTimes, timeRuns } from '../bench/jobs.js';
import { buildCnn, countMacs } from '../model/cnn.js';
import { VIEW_SETS, type ViewSetName } from '../model/viewSets.js';
import { CheckpointStore, type TrainingProgress } from '../training/checkpoint.js';
import { extractFeatures, type ExtractedFeatures } from '../training/features.js';
import { shippedCnn, type ShippedCnn } from '../training/shippedCnn.js';
import { fitSvmHead, type SvmHead } from '../training/svmHead.js';
import { STUDIES_FOLDER, carriedStudySections } from '../studies/reportSection.js';
import { cycleEnds } from '../training/schedule.js';
import { trainCnn, type TrainCnnResult, type TrainConfig } from '../training/trainer.js';
import { formatDuration, startProgress, type ProgressBar } from '../ui/progress.js';
import { loadCarvedData, splitTitle } from './loadData.js';
import { prepareTrainFolders } from './trainFolders.js';
import { PRESETS, type PresetName } from './presets.js';

export interface TrainCommandOptions {
  data: string;
  out: string;
  run: string;
  preset: PresetName;
  epochs?: number;
  batchSize?: number;
  replicas?: number;
  learningRate?: number;
  width?: number;
  seed?: number;
  /** CNN layers whose flattened outputs, side by side, feed the SVM. */
  featureLayers?: string[];
  /** CNNs fused for the SVM: the exported one (`cnnEpoch`'s, else the best) plus the `ensemble - 1` latest other cycle-end snapshots. */
  ensemble?: number;
  /** Epoch whose CNN is exported (default: the best by validation accuracy); others must be cycle-end snapshots. */
  cnnEpoch?: number;
  mirrorAverage?: boolean;
  /** Transformed copies of each face whose scores the classifier averages (`VIEW_SETS`). */
  testTimeViews?: ViewSetName;
  /** Precision of the exported CNN weights; float16 halves the download (the SVM is fitted on the rounded CNN). */
  weightPrecision: WeightPrecision;
  svmC?: number[];
  /** C candidates of the raw-pixel baseline SVM; the preset's when absent (the quick preset has none: no baseline). */
  pixelSvmC?: number[];
  /** Folder of the teacher's soft targets (`fer teacher`), read when the preset distils. */
  teacher: string;
  limit?: number;
  backend: BackendPreference;
  resume: boolean;
  strict: boolean;
  /** Export even into an --out that holds more than a previous export (it is replaced). */
  force?: boolean;
}

/** The preset with the command line's overrides: every default is merged here and nowhere else. */
interface Settings {
  preset: PresetName;
  config: TrainConfig;
  featureLayers: string[];
  ensemble: number;
  mirrorAverage: boolean;
  testTimeViews: (typeof VIEW_SETS)[ViewSetName]['views'];
  svmC: number[];
  pixelSvmC: number[];
}

function resolveSettings(options: TrainCommandOptions): Settings {
  const preset = PRESETS[options.preset];
  const config: TrainConfig = {
    ...preset.train,
    seed: options.seed ?? preset.train.seed,
    epochs: options.epochs ?? preset.train.epochs,
    batchSize: options.batchSize ?? preset.train.batchSize,
    replicas: options.replicas ?? preset.train.replicas,
    learningRate: options.learningRate ?? preset.train.learningRate,
    cnn: { ...preset.train.cnn, width: options.width ?? preset.train.cnn.width },
  };
  const mirrorAverage = options.mirrorAverage ?? preset.mirrorAverage;
  const testTimeViews = VIEW_SETS[options.testTimeViews ?? preset.testTimeViews].views;
  return {
    preset: options.preset,
    config,
    featureLayers: options.featureLayers ?? preset.featureLayers,
    ensemble: options.ensemble ?? preset.ensemble,
    mirrorAverage,
    testTimeViews,
    svmC: options.svmC ?? preset.svmC,
    pixelSvmC: options.pixelSvmC ?? preset.pixelSvmC,
  };
}

/** Checks what can be checked before hours of training, so that a typo does not surface at the end. */
function checkSettings(settings: Settings, cnnEpoch: number | undefined): void {
  const { config, featureLayers, ensemble } = settings;
  const probe = buildCnn(config.cnn);
  const known = probe.layers.map((layer) => layer.name);
  probe.dispose();
  const unknown = featureLayers.filter((layer) => !known.includes(layer));
  if (unknown.length > 0)
    throw new Error(`--feature-layers: this CNN has no layer ${unknown.map((l) => `'${l}'`).join(', ')}; its layers: ${known.join(', ')}`);
  if (cnnEpoch !== undefined && cnnEpoch > config.epochs) throw new Error(`--cnn-epoch ${cnnEpoch}: the run trains only ${config.epochs} epochs`);
  const ends = config.restarts === undefined ? [] : cycleEnds(config.restarts, Math.max(config.epochs, 4 * config.restarts.firstCycle));
  if (config.restarts !== undefined && !ends.includes(config.epochs)) {
    console.error(`warning: --epochs ${config.epochs} stops mid-cycle, at a high learning rate; cycles end at epochs ${ends.join(', ')}`);
  }
  const completed = ends.filter((end) => end <= config.epochs);
  if (ensemble > 1 && completed.length < ensemble) {
    throw new Error(
      `--ensemble ${ensemble} fuses the CNNs of ${ensemble} learning-rate cycles, but ${config.epochs} epochs complete ${completed.length === 0 ? 'none' : `${completed.length} (at epochs ${completed.join(', ')})`}`,
    );
  }
}

/** The three sets of faces: what is fitted, what every choice is made on (carved from Training), and the test. */
interface Splits {
  fit: LabeledImages;
  validation: LabeledImages;
  test: LabeledImages;
  /** PublicTest faces pixel-identical to a Training face, left out of the deduplicated test figure. */
  testRepeats: Set<number>;
  /** All of Training's pixels set the input normalization, as for the teacher's members. */
  input: InputSpec;
}

async function loadSplits(options: TrainCommandOptions): Promise<Splits> {
  const { fit, validation, test, train } = await loadCarvedData(options.data, { strict: options.strict });
  const testRepeats = repeatsOf(test, train);
  console.error(
    `validation: ${validation.count} Training faces held out (stratified, seed ${DEFAULT_VALIDATION_SPLIT.seed}, none repeated in Training or PublicTest); ` +
      `fitting on ${fit.count}; PublicTest (${test.count} faces, ${testRepeats.size} of them repeats of Training faces) is scored once, after training`,
  );
  if (options.limit === undefined) return { fit, validation, test, testRepeats, input: inputSpecFor(train) };
  const limit = (images: LabeledImages) => subsample(images, options.limit as number);
  return {
    fit: limit(fit),
    validation: limit(validation),
    test: limit(test),
    testRepeats: repeatsOf(limit(test), train),
    input: inputSpecFor(train),
  };
}

/** The teacher's probabilities for the faces trained on, when the configuration distils. */
async function teacherTargets(
  settings: Settings,
  fit: LabeledImages,
  folder: string,
): Promise<{ targets: Float32Array; teacher: TeacherProvenance } | undefined> {
  if (settings.config.loss?.distillation === undefined) return undefined;
  const soft = await readSoftTargets(folder);
  console.error(
    `teacher: ${soft.teacher.members.length} CNNs (${soft.teacher.members.map((m) => `epoch ${m.epoch}`).join(', ')}), soft targets from ${folder}`,
  );
  return { targets: targetsFor(fit, soft), teacher: soft.teacher };
}

/** Training-loop display: one bar per epoch, with loss/accuracy and the whole run's ETA. */
function epochProgress(config: TrainConfig) {
  let bar: ProgressBar | undefined;
  let sessionStart = 0;
  let sessionBatches = 0;
  let batchesPerEpoch = 1;
  let loss = 0;
  let accuracy = 0;
  return {
    onEpochStart(epoch: number, batches: number, firstBatch: number) {
      batchesPerEpoch = batches;
      bar = startProgress(`epoch ${epoch + 1}/${config.epochs}`, batches * config.batchSize, 'images', firstBatch * config.batchSize);
      if (sessionStart === 0) sessionStart = performance.now();
    },
    onBatch(epoch: number, batch: number, batchLoss: number, batchAccuracy: number) {
      sessionBatches++;
      loss = sessionBatches === 1 ? batchLoss : 0.95 * loss + 0.05 * batchLoss;
      accuracy = sessionBatches === 1 ? batchAccuracy : 0.95 * accuracy + 0.05 * batchAccuracy;
      const secondsPerBatch = (performance.now() - sessionStart) / 1000 / sessionBatches;
      const remaining = (config.epochs - epoch) * batchesPerEpoch - (batch + 1);
      bar?.update(
        (batch + 1) * config.batchSize,
        `loss ${loss.toFixed(3)} acc ${(100 * accuracy).toFixed(1)}% | run ETA ${formatDuration(remaining * secondsPerBatch)}`,
      );
    },
    /** Ends the current bar (its timer would otherwise keep the process alive after an interrupt). */
    stop() {
      bar?.stop();
    },
    onEpochEnd(summary: TrainingProgress['history'][number], isBest: boolean) {
      bar?.stop();
      console.error(
        `epoch ${summary.epoch}: train loss ${summary.loss.toFixed(3)} acc ${(100 * summary.accuracy).toFixed(1)}% | ` +
          `validation loss ${summary.validationLoss.toFixed(3)} acc ${(100 * summary.validationAccuracy).toFixed(2)}%` +
          `${isBest ? ' (best so far)' : ''} | ${formatDuration(summary.seconds)}`,
      );
    },
  };
}

/** Trains (or resumes) the CNN. Ctrl-C stops after the batch with a checkpoint; twice, it quits at once (checkpoints and exports are atomic). */
async function trainNetwork(
  options: TrainCommandOptions,
  settings: Settings,
  splits: Splits,
  teacher: Float32Array | undefined,
  store: CheckpointStore<TrainConfig>,
): Promise<TrainCnnResult> {
  const controller = new AbortController();
  const onInterrupt = () => {
    if (!controller.signal.aborted) {
      console.error('\nstopping after this batch and saving a checkpoint (Ctrl-C again to quit at once)...');
      controller.abort();
      return;
    }
    console.error(`\ninterrupted: ${options.out} is unchanged; checkpoints are kept in ${options.run} (continue with --resume).`);
    process.exit(130);
  };
  process.on('SIGINT', onInterrupt);
  const observer = epochProgress(settings.config);
  try {
    return await trainCnn({
      config: settings.config,
      train: splits.fit,
      validation: splits.validation,
      input: splits.input,
      teacher,
      store,
      resume: options.resume,
      signal: controller.signal,
      observer,
    });
  } finally {
    observer.stop();
    // From here nothing is worth a graceful stop (features and SVMs are recomputed from the
    // checkpoint on --resume): Node's default Ctrl-C quits at once, workers and all, which leaves
    // the checkpoints and --out as they were.
    process.off('SIGINT', onInterrupt);
  }
}

/** The SVM on the CNN's features and the raw-pixel baseline (unless skipped), each with C chosen on the validation split. */
async function fitClassifiers(
  settings: Settings,
  splits: Splits,
  fitFeatures: ExtractedFeatures,
  validationFeatures: ExtractedFeatures,
): Promise<{ cnnSvm: SvmHead; pixelSvm: SvmHead | undefined }> {
  const svmOptions = { candidates: settings.svmC, loss: 'squared-hinge', seed: settings.config.seed, classWeight: 'none' } as const;
  console.error(
    `fitting the linear SVM on ${splits.fit.count} x ${fitFeatures.dims} features, C in {${settings.svmC.join(', ')}}, chosen on validation...`,
  );
  const cnnSvm = await fitSvmHead(
    { features: fitFeatures.features, labels: splits.fit.labels },
    { features: validationFeatures.features, labels: splits.validation.labels },
    fitFeatures.dims,
    svmOptions,
  );
  if (settings.pixelSvmC.length === 0) return { cnnSvm, pixelSvm: undefined };
  const pixels = splits.input.height * splits.input.width;
  console.error(`fitting the raw-pixel baseline SVM on ${splits.fit.count} x ${pixels} pixels...`);
  const pixelSvm = await fitSvmHead(
    { features: Float32Array.from(splits.fit.pixels), labels: splits.fit.labels },
    { features: Float32Array.from(splits.validation.pixels), labels: splits.validation.labels },
    pixels,
    { ...svmOptions, candidates: settings.pixelSvmC },
  );
  return { cnnSvm, pixelSvm };
}

/** Scores each classifier on `images` (rows of `scores` follow them), leaving out `skip` when given. */
function scoreAll(
  scores: { cnnSoftmax: Float32Array; cnnSvm: Float32Array; pixelSvm: Float32Array | undefined },
  images: LabeledImages,
  split: string,
  skip?: ReadonlySet<number>,
): ClassifierMetrics {
  const evaluate = (rows: Float32Array) => evaluateScores(rows, images.labels, split, skip);
  const classifiers = { cnnSoftmax: evaluate(scores.cnnSoftmax), cnnSvm: evaluate(scores.cnnSvm) };
  return scores.pixelSvm === undefined ? classifiers : { pixelSvm: evaluate(scores.pixelSvm), ...classifiers };
}

/** Median ms of one CNN forward pass on a single face (batch 1, as the app runs it), after warm-up. */
async function cnnLatencyMs(cnn: tf.LayersModel, input: InputSpec): Promise<number> {
  const face = tf.zeros([1, input.height, input.width, 1]);
  const samples = await timeRuns(
    async () => {
      const outputs = cnn.predict(face);
      await (Array.isArray(outputs) ? outputs : [outputs])[0]?.data();
      tf.dispose(outputs);
    },
    5,
    31,
  );
  face.dispose();
  return summarizeTimes(1, samples).msPerImage.median;
}

/** Study results of the model being replaced, carried into the new export flagged as such (see carriedStudySections). */
async function previousStudies(out: string): Promise<{ sections: string[]; files: [string, string][] }> {
  const report = await readFile(join(out, 'REPORT.md'), 'utf8').catch(() => '');
  const names = await readdir(join(out, STUDIES_FOLDER)).catch(() => [] as string[]);
  const files = await Promise.all(
    names
      .filter((name) => name.endsWith('.json'))
      .map(async (name): Promise<[string, string]> => [`${STUDIES_FOLDER}/${name}`, await readFile(join(out, STUDIES_FOLDER, name), 'utf8')]),
  );
  return { sections: carriedStudySections(report), files };
}

/** `fer train`: settings -> data -> CNN -> features -> SVM -> validation and test scores -> verified export. Returns the exit code. */
export async function runTrain(options: TrainCommandOptions): Promise<number> {
  const startedAt = Date.now();
  const backend = await selectTrainingBackend({ prefer: options.backend });
  // Locks --run, recovers interrupted writes, checks --out (trainFolders.ts): folder mistakes fail in seconds.
  await prepareTrainFolders(options);
  const settings = resolveSettings(options);
  checkSettings(settings, options.cnnEpoch);
  const splits = await loadSplits(options);
  const { config } = settings;
  console.error(`backend: ${backend.description}; ${config.replicas} data-parallel thread${config.replicas === 1 ? '' : 's'}`);
  const teacher = await teacherTargets(settings, splits.fit, options.teacher);

  const store = new CheckpointStore<TrainConfig>(options.run);
  const trained = await trainNetwork(options, settings, splits, teacher?.targets, store);
  if (trained.interrupted || trained.best === undefined) {
    const { completedEpochs, completedBatches } = trained.progress;
    console.error(`interrupted at epoch ${completedEpochs + 1}, batch ${completedBatches}; checkpoint saved in ${join(options.run, 'last')}.`);
    console.error('continue with the same options plus --resume.');
    return 130;
  }

  const history = trained.progress.history;
  const bestEpoch = history.reduce((a, b) => (b.validationAccuracy > a.validationAccuracy ? b : a)).epoch;
  const shipped = await shippedCnn({
    store,
    best: trained.best,
    bestEpoch,
    cnnEpoch: options.cnnEpoch,
    ensemble: settings.ensemble,
    cnn: config.cnn,
    featureLayers: settings.featureLayers,
  });
  if (options.weightPrecision === 'float16') roundWeightsToFloat16(shipped.cnn);

  const features = await extractAll(shipped, settings, splits, bestEpoch);
  const { cnnSvm, pixelSvm } = await fitClassifiers(settings, splits, features.fit, features.validation);
  const validationMetrics = scoreAll(
    { pixelSvm: pixelSvm?.validationScores, cnnSoftmax: features.validation.cnnProbabilities, cnnSvm: cnnSvm.validationScores },
    splits.validation,
    'validation',
  );
  const testScores = {
    pixelSvm: pixelSvm?.score(Float32Array.from(splits.test.pixels)),
    cnnSoftmax: features.test.cnnProbabilities,
    cnnSvm: cnnSvm.score(features.test.features),
  };
  const testTitle = splitTitle('public');
  const metrics = scoreAll(testScores, splits.test, testTitle);
  const uniqueMetrics = scoreAll(testScores, splits.test, `${testTitle} without faces repeated from Training`, splits.testRepeats);

  const training = await trainingRecord(
    options,
    settings,
    backend,
    trained,
    bestEpoch,
    shipped,
    cnnSvm,
    pixelSvm,
    splits,
    teacher?.teacher,
    startedAt,
    validationMetrics,
    uniqueMetrics,
  );
  const data = {
    source: options.data,
    fingerprint: `${fingerprintImages(splits.fit)}+${fingerprintImages(splits.validation)}+${fingerprintImages(splits.test)}`,
    counts: { train: splits.fit.count, validation: splits.validation.count, public: splits.test.count },
  };
  const previous = await previousStudies(options.out);
  const documents = new Map([
    [
      'REPORT.md',
      [
        renderReport(
          { validation: validationMetrics, test: metrics, testWithoutRepeats: uniqueMetrics },
          cnnSvm,
          pixelSvm,
          training,
          data,
          shipped.description,
        ),
        ...previous.sections,
      ].join('\n'),
    ],
    ...previous.files,
    ['confusion-cnn-svm.svg', confusionSvg(metrics.cnnSvm, `${CLASSIFIER_NAMES.cnnSvm}, ${testTitle}`)],
    [HISTORY_CHART, historySvg(training.history, 'validation')],
    ['report.json', `${JSON.stringify({ metrics, training, data }, null, 2)}\n`],
  ]);
  const manifest = await exportModels(
    options.out,
    {
      cnn: shipped.cnn,
      featureLayer: shipped.featureLayer,
      featureDims: features.fit.dims,
      mirrorAverage: settings.mirrorAverage,
      testTimeViews: [...settings.testTimeViews],
      weightPrecision: options.weightPrecision,
      svm: cnnSvm.params,
      svmOptions: { C: cnnSvm.C, loss: 'squared-hinge' },
      input: splits.input,
      calibration: { method: 'temperature', temperature: cnnSvm.temperature, fittedOn: 'validation' },
      metrics: { ...metrics, cnnSvmWithoutRepeats: uniqueMetrics.cnnSvm, cnnSoftmaxWithoutRepeats: uniqueMetrics.cnnSoftmax },
      training,
      data,
    },
    { images: splits.validation, svmScores: cnnSvm.validationScores },
    documents,
    { force: options.force },
  );
  shipped.cnn.dispose();
  console.log(comparisonTable({ ...validationMetrics }, CLASSIFIER_NAMES));
  console.log(comparisonTable(metrics, CLASSIFIER_NAMES));
  console.log(comparisonTable(uniqueMetrics, CLASSIFIER_NAMES));
  console.log(
    `\nexported to ${options.out} (verified by reloading through @fer/core); see ${join(options.out, 'REPORT.md')}; manifest ${manifest.version}`,
  );
  return 0;
}

/**
 * The exported CNN's features on every split: averaged over the classifier's views on the splits it
 * is scored on, and over each face and its mirror image (when the classifier mirrors) on the split the
 * SVM is fitted on. Test-time views are the classifier's work at inference, and a linear SVM's score of
 * averaged features is the average of its scores; extracting the largest split over every view would
 * multiply the slowest pass after training.
 */
async function extractAll(
  shipped: ShippedCnn,
  settings: Settings,
  splits: Splits,
  bestEpoch: number,
): Promise<Record<'fit' | 'validation' | 'test', ExtractedFeatures>> {
  const [only] = shipped.memberEpochs;
  const which = only === bestEpoch ? `best epoch ${only}` : `epoch ${only}; best: ${bestEpoch}`;
  console.error(`extracting ${shipped.description}${shipped.memberEpochs.length === 1 ? ` (${which})` : ''}...`);
  const scoredViews = faceViews(splits.input, settings.mirrorAverage, settings.testTimeViews);
  const fitViews = faceViews(splits.input, settings.mirrorAverage, []);
  const extract = (images: LabeledImages, views: FaceViews) => extractFeatures(shipped.cnn, shipped.featureLayer, images, splits.input, views);
  return {
    fit: await extract(splits.fit, fitViews),
    validation: await extract(splits.validation, scoredViews),
    test: await extract(splits.test, scoredViews),
  };
}

/** What the manifest and report.json record about how the model was made. */
async function trainingRecord(
  options: TrainCommandOptions,
  settings: Settings,
  backend: BackendInfo,
  trained: TrainCnnResult,
  bestEpoch: number,
  shipped: ShippedCnn,
  cnnSvm: SvmHead,
  pixelSvm: SvmHead | undefined,
  splits: Splits,
  teacher: TeacherProvenance | undefined,
  startedAt: number,
  validation: ClassifierMetrics,
  testWithoutRepeats: ClassifierMetrics,
) {
  const { cnn } = shipped;
  const dims = cnnSvm.params.featureMean.length;
  return {
    command: `pnpm train ${process.argv.slice(3).join(' ')}`.trim(),
    preset: settings.preset,
    config: { ...settings.config },
    seed: settings.config.seed,
    backend: backend.description,
    epochs: trained.progress.completedEpochs,
    bestEpoch,
    /** Epochs whose CNNs the SVM reads (one: the best epoch's alone). */
    fusedEpochs: shipped.memberEpochs,
    featureLayers: settings.featureLayers,
    validationSplit: {
      ...DEFAULT_VALIDATION_SPLIT,
      count: splits.validation.count,
      rule: 'stratified by class; only faces that occur once in Training and not in PublicTest',
    },
    validationAccuracy: {
      cnnSvm: validation.cnnSvm.accuracy,
      cnnSoftmax: validation.cnnSoftmax.accuracy,
      pixelSvm: validation.pixelSvm?.accuracy ?? null,
    },
    testWithoutRepeats: {
      count: testWithoutRepeats.cnnSvm.count,
      cnnSvm: testWithoutRepeats.cnnSvm.accuracy,
      cnnSoftmax: testWithoutRepeats.cnnSoftmax.accuracy,
    },
    teacher: teacher ?? null,
    history: trained.progress.history.map((h) => ({ ...h })),
    cnnTrainSeconds: Math.round(trained.progress.trainSeconds),
    cnnCpuSeconds: Math.round(trained.progress.cpuSeconds),
    svmSeconds: Math.round(cnnSvm.seconds),
    svmCSearch: cnnSvm.search,
    pixelSvmCSearch: pixelSvm?.search ?? [],
    macs: countMacs(cnn),
    cnnPassesPerFace: passesPerFace(faceViews(splits.input, settings.mirrorAverage, settings.testTimeViews)),
    parameters: cnn.countParams(),
    /** Weights of the CNN (at its export precision) and the SVM (float32 weights + bias + standardization). */
    weightBytes: (options.weightPrecision === 'float16' ? 2 : 4) * cnn.countParams() + 4 * (cnnSvm.params.weights.length * (dims + 1) + 2 * dims),
    weightPrecision: options.weightPrecision,
    cnnMsPerFace: await cnnLatencyMs(cnn, splits.input),
    wallSecondsThisSession: Math.round((Date.now() - startedAt) / 1000),
    cpu: `${cpus()[0]?.model ?? 'unknown'} x ${cpus().length}`,
    node: process.version,
    tfjs: tf.version.tfjs,
    limit: options.limit ?? null,
  };
}
