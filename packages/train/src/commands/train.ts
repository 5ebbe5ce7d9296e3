import { readdir, readFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { faceViews, passesPerFace, type Evaluation, type InputSpec } from '@fer/core';
import { selectTrainingBackend, type BackendPreference } from '../backend/selectBackend.js';
import { fingerprintImages } from '../data/cache.js';
import type { LabeledImages } from '../data/dataset.js';
import { argmaxRows, evaluatePredictions } from '../evaluation/metrics.js';
import { CLASSIFIER_NAMES, comparisonTable, confusionSvg, renderReport } from '../evaluation/report.js';
import { exportModels, type WeightPrecision } from '../export/exportModels.js';
import { roundWeightsToFloat16 } from '../export/float16.js';
import { summarizeTimes, timeRuns } from '../bench/jobs.js';
import { buildCnn, countMacs } from '../model/cnn.js';
import { VIEW_SETS, type ViewSetName } from '../model/viewSets.js';
import { CheckpointStore, type TrainingProgress } from '../training/checkpoint.js';
import { extractFeatures } from '../training/features.js';
import { shippedCnn } from '../training/shippedCnn.js';
import { fitSvmHead } from '../training/svmHead.js';
import { STUDIES_FOLDER, carriedStudySections } from '../studies/reportSection.js';
import { cycleEnds } from '../training/schedule.js';
import { trainCnn, type TrainConfig } from '../training/trainer.js';
import { formatDuration, startProgress, type ProgressBar } from '../ui/progress.js';
import { loadForCommand, splitTitle } from './loadData.js';
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
  /** Epoch whose CNN is exported (default: the best by PublicTest accuracy); others must be cycle-end snapshots. */
  cnnEpoch?: number;
  mirrorAverage?: boolean;
  /** Transformed copies of each face whose scores the classifier averages (`VIEW_SETS`). */
  testTimeViews?: ViewSetName;
  /** Precision of the exported CNN weights; float16 halves the download (the SVM is fitted on the rounded CNN). */
  weightPrecision: WeightPrecision;
  svmC?: number[];
  limit?: number;
  backend: BackendPreference;
  resume: boolean;
  strict: boolean;
}

function trainConfigFrom(options: TrainCommandOptions): TrainConfig {
  const preset = PRESETS[options.preset].train;
  return {
    ...preset,
    seed: options.seed ?? preset.seed,
    epochs: options.epochs ?? preset.epochs,
    batchSize: options.batchSize ?? preset.batchSize,
    replicas: options.replicas ?? preset.replicas,
    learningRate: options.learningRate ?? preset.learningRate,
    cnn: { ...preset.cnn, width: options.width ?? preset.cnn.width },
  };
}

/** Mean and std of the training pixels (0..1), so inputs are centred the same everywhere. */
function inputSpecFor(train: LabeledImages): InputSpec {
  let sum = 0;
  let squares = 0;
  for (const v of train.pixels) {
    sum += v;
    squares += v * v;
  }
  const mean = sum / train.pixels.length / 255;
  const variance = squares / train.pixels.length / (255 * 255) - mean * mean;
  return { height: train.size, width: train.size, channels: 1, mean, std: Math.sqrt(Math.max(variance, 1e-12)) };
}

/** Training-loop display: one bar per epoch, with loss/accuracy and the whole run's ETA. */
function epochProgress(config: TrainConfig, imagesPerBatch: number) {
  let bar: ProgressBar | undefined;
  let sessionStart = 0;
  let sessionBatches = 0;
  let batchesPerEpoch = 1;
  let loss = 0;
  let accuracy = 0;
  return {
    onEpochStart(epoch: number, batches: number, firstBatch: number) {
      batchesPerEpoch = batches;
      bar = startProgress(`epoch ${epoch + 1}/${config.epochs}`, batches * imagesPerBatch, 'images', firstBatch * imagesPerBatch);
      if (sessionStart === 0) sessionStart = performance.now();
    },
    onBatch(epoch: number, batch: number, batchLoss: number, batchAccuracy: number) {
      sessionBatches++;
      loss = sessionBatches === 1 ? batchLoss : 0.95 * loss + 0.05 * batchLoss;
      accuracy = sessionBatches === 1 ? batchAccuracy : 0.95 * accuracy + 0.05 * batchAccuracy;
      const secondsPerBatch = (performance.now() - sessionStart) / 1000 / sessionBatches;
      const remaining = (config.epochs - epoch) * batchesPerEpoch - (batch + 1);
      bar?.update((batch + 1) * imagesPerBatch, `loss ${loss.toFixed(3)} acc ${(100 * accuracy).toFixed(1)}% | run ETA ${formatDuration(remaining * secondsPerBatch)}`);
    },
    /** Ends the current bar (its timer would otherwise keep the process alive after an interrupt). */
    stop() {
      bar?.stop();
    },
    onEpochEnd(summary: TrainingProgress['history'][number], isBest: boolean) {
      bar?.stop();
      console.error(
        `epoch ${summary.epoch}: train loss ${summary.loss.toFixed(3)} acc ${(100 * summary.accuracy).toFixed(1)}% | ` +
          `PublicTest loss ${summary.validationLoss.toFixed(3)} acc ${(100 * summary.validationAccuracy).toFixed(2)}%` +
          `${isBest ? ' (best so far)' : ''} | ${formatDuration(summary.seconds)}`,
      );
    },
  };
}

/** Study results of the model being replaced, carried into the new export flagged as such (see carriedStudySections). */
async function previousStudies(out: string): Promise<{ sections: string[]; files: [string, string][] }> {
  const report = await readFile(join(out, 'REPORT.md'), 'utf8').catch(() => '');
  const names = await readdir(join(out, STUDIES_FOLDER)).catch(() => [] as string[]);
  const files = await Promise.all(
    names.filter((name) => name.endsWith('.json')).map(async (name): Promise<[string, string]> => [`${STUDIES_FOLDER}/${name}`, await readFile(join(out, STUDIES_FOLDER, name), 'utf8')]),
  );
  return { sections: carriedStudySections(report), files };
}

/** Median ms of one CNN forward pass on a single face (batch 1, as the app runs it), after warm-up. */
async function cnnLatencyMs(cnn: tf.LayersModel, input: InputSpec): Promise<number> {
  const face = tf.zeros([1, input.height, input.width, 1]);
  const samples = await timeRuns(async () => {
    const outputs = cnn.predict(face);
    await (Array.isArray(outputs) ? outputs : [outputs])[0]?.data();
    tf.dispose(outputs);
  }, 5, 31);
  face.dispose();
  return summarizeTimes(1, samples).msPerImage.median;
}

function layerNames(config: TrainConfig): string[] {
  const cnn = buildCnn(config.cnn);
  const names = cnn.layers.map((layer) => layer.name);
  cnn.dispose();
  return names;
}

/** `fer train`: data -> CNN -> features -> SVM -> evaluation -> atomic export. Returns the exit code. */
export async function runTrain(options: TrainCommandOptions): Promise<number> {
  const startedAt = new Date();
  const preset = PRESETS[options.preset];
  const config = trainConfigFrom(options);
  const featureLayers = options.featureLayers ?? preset.featureLayers;
  const mirrorAverage = options.mirrorAverage ?? preset.mirrorAverage;
  const testTimeViews = VIEW_SETS[options.testTimeViews ?? preset.testTimeViews].views;
  const svmC = options.svmC ?? preset.svmC;
  const ensemble = options.ensemble ?? preset.ensemble;

  const backend = await selectTrainingBackend({ prefer: options.backend });
  console.error(`backend: ${backend.description}; ${config.replicas} data-parallel thread${config.replicas === 1 ? '' : 's'}`);
  if (config.restarts !== undefined) {
    const ends = cycleEnds(config.restarts, Math.max(config.epochs, 4 * config.restarts.firstCycle));
    if (!ends.includes(config.epochs)) {
      console.error(`warning: --epochs ${config.epochs} stops mid-cycle, at a high learning rate; cycles end at epochs ${ends.join(', ')}`);
    }
  }

  // Checked before training, so that a typo does not surface hours later.
  const known = layerNames(config);
  const unknown = featureLayers.filter((layer) => !known.includes(layer));
  if (unknown.length > 0) throw new Error(`--feature-layers: this CNN has no layer ${unknown.map((l) => `'${l}'`).join(', ')}; its layers: ${known.join(', ')}`);
  if (options.cnnEpoch !== undefined && options.cnnEpoch > config.epochs) {
    throw new Error(`--cnn-epoch ${options.cnnEpoch}: the run trains only ${config.epochs} epochs`);
  }
  if (ensemble > 1) {
    const ends = config.restarts === undefined ? [] : cycleEnds(config.restarts, config.epochs);
    if (ends.length < ensemble) {
      throw new Error(`--ensemble ${ensemble} fuses the CNNs of ${ensemble} learning-rate cycles, but ${config.epochs} epochs complete ${ends.length === 0 ? 'none' : `${ends.length} (at epochs ${ends.join(', ')})`}`);
    }
  }

  const train = await loadForCommand(options.data, 'train', { strict: options.strict, limit: options.limit });
  const validation = await loadForCommand(options.data, 'public', { strict: options.strict, limit: options.limit });
  const input = inputSpecFor(train);

  // Ctrl-C while training stops after the batch with a checkpoint; twice, it quits at once,
  // which is safe: checkpoints and the export are written atomically.
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
  const store = new CheckpointStore<TrainConfig>(options.run);
  const observer = epochProgress(config, config.batchSize);
  const trained = await trainCnn({
    config,
    train,
    validation,
    input,
    store,
    resume: options.resume,
    signal: controller.signal,
    observer,
  }).finally(() => observer.stop());
  // From here the work is synchronous (feature extraction resolves through microtasks, the SVM
  // solver never yields), so a JS handler would wait minutes for its turn: Node's default Ctrl-C
  // quits at once instead, which leaves the checkpoints and --out as they were.
  process.off('SIGINT', onInterrupt);
  if (trained.interrupted || trained.best === undefined) {
    const { completedEpochs, completedBatches } = trained.progress;
    console.error(`interrupted at epoch ${completedEpochs + 1}, batch ${completedBatches}; checkpoint saved in ${join(options.run, 'last')}.`);
    console.error('continue with the same options plus --resume.');
    return 130;
  }
  const history = trained.progress.history;
  const bestEpoch = history.reduce((a, b) => (b.validationAccuracy > a.validationAccuracy ? b : a));
  const shipped = await shippedCnn({ store, best: trained.best, bestEpoch: bestEpoch.epoch, cnnEpoch: options.cnnEpoch, ensemble, cnn: config.cnn, featureLayers });
  const { cnn } = shipped;
  if (options.weightPrecision === 'float16') roundWeightsToFloat16(cnn);

  const [only] = shipped.memberEpochs;
  const which = only === bestEpoch.epoch ? `best epoch ${only}` : `epoch ${only}; best: ${bestEpoch.epoch}`;
  console.error(`extracting ${shipped.description}${shipped.memberEpochs.length === 1 ? ` (${which})` : ''}...`);
  const views = faceViews(input, mirrorAverage, testTimeViews);
  const trainFeatures = await extractFeatures(cnn, shipped.featureLayer, train, input, views);
  const validationFeatures = await extractFeatures(cnn, shipped.featureLayer, validation, input, views);
  console.error(`fitting the linear SVM on ${train.count} x ${trainFeatures.dims} features, C in {${svmC.join(', ')}}...`);
  const svmOptions = { candidates: svmC, loss: 'squared-hinge', seed: config.seed, classWeight: 'none' } as const;
  const cnnSvm = fitSvmHead(
    { features: trainFeatures.features, labels: train.labels },
    { features: validationFeatures.features, labels: validation.labels },
    trainFeatures.dims,
    svmOptions,
  );
  console.error(`fitting the raw-pixel baseline SVM on ${train.count} x ${input.height * input.width} pixels...`);
  const pixelSvm = fitSvmHead(
    { features: Float32Array.from(train.pixels), labels: train.labels },
    { features: Float32Array.from(validation.pixels), labels: validation.labels },
    input.height * input.width,
    { ...svmOptions, candidates: preset.pixelSvmC },
  );

  const split = splitTitle('public');
  const metrics: Record<keyof typeof CLASSIFIER_NAMES, Evaluation> = {
    pixelSvm: evaluatePredictions(argmaxRows(pixelSvm.validationScores), validation.labels, split),
    cnnSoftmax: evaluatePredictions(argmaxRows(validationFeatures.cnnProbabilities), validation.labels, split),
    cnnSvm: evaluatePredictions(argmaxRows(cnnSvm.validationScores), validation.labels, split),
  };
  const training = {
    command: `pnpm train ${process.argv.slice(3).join(' ')}`.trim(),
    preset: options.preset,
    config: { ...config },
    seed: config.seed,
    backend: backend.description,
    epochs: trained.progress.completedEpochs,
    bestEpoch: bestEpoch.epoch,
    /** Epochs whose CNNs the SVM reads (one: the best epoch's alone). */
    fusedEpochs: shipped.memberEpochs,
    featureLayers,
    history: history.map((h) => ({ ...h })),
    cnnTrainSeconds: Math.round(trained.progress.trainSeconds),
    cnnCpuSeconds: Math.round(trained.progress.cpuSeconds),
    svmSeconds: Math.round(cnnSvm.seconds),
    svmCSearch: cnnSvm.search,
    pixelSvmCSearch: pixelSvm.search,
    macs: countMacs(cnn),
    cnnPassesPerFace: passesPerFace(views),
    parameters: cnn.countParams(),
    /** Weights of the CNN (at its export precision) and the SVM (float32 weights + bias + standardization). */
    weightBytes:
      (options.weightPrecision === 'float16' ? 2 : 4) * cnn.countParams() + 4 * (cnnSvm.params.weights.length * (trainFeatures.dims + 1) + 2 * trainFeatures.dims),
    weightPrecision: options.weightPrecision,
    cnnMsPerFace: await cnnLatencyMs(cnn, input),
    wallSecondsThisSession: Math.round((Date.now() - startedAt.getTime()) / 1000),
    cpu: `${cpus()[0]?.model ?? 'unknown'} x ${cpus().length}`,
    node: process.version,
    tfjs: tf.version.tfjs,
    limit: options.limit ?? null,
  };
  const data = {
    source: options.data,
    fingerprint: `${fingerprintImages(train)}+${fingerprintImages(validation)}`,
    counts: { train: train.count, public: validation.count },
  };
  const previous = await previousStudies(options.out);
  const documents = new Map([
    ['REPORT.md', [renderReport(metrics, cnnSvm, pixelSvm, training, data, shipped.description), ...previous.sections].join('\n')],
    ...previous.files,
    ['confusion-cnn-svm.svg', confusionSvg(metrics.cnnSvm, `${CLASSIFIER_NAMES.cnnSvm}, ${split}`)],
    ['report.json', `${JSON.stringify({ metrics, training, data }, null, 2)}\n`],
  ]);
  const manifest = await exportModels(
    options.out,
    {
      cnn,
      featureLayer: shipped.featureLayer,
      featureDims: trainFeatures.dims,
      mirrorAverage,
      testTimeViews: [...testTimeViews],
      weightPrecision: options.weightPrecision,
      svm: cnnSvm.params,
      svmOptions: { C: cnnSvm.C, loss: svmOptions.loss },
      input,
      calibration: { method: 'temperature', temperature: cnnSvm.temperature, fittedOn: split },
      metrics,
      training,
      data,
    },
    { images: validation, svmScores: cnnSvm.validationScores },
    documents,
  );
  cnn.dispose();
  console.log(comparisonTable(manifest.metrics, CLASSIFIER_NAMES));
  console.log(`\nexported to ${options.out} (verified by reloading through @fer/core); see ${join(options.out, 'REPORT.md')}`);
  return 0;
}
