import { writeFile } from 'node:fs/promises';
import { ExpressionClassifier, NUM_EXPRESSIONS } from '@fer/core';
import { selectTrainingBackend, type BackendPreference } from '../backend/selectBackend.js';
import type { SplitName } from '../data/dataset.js';
import { argmaxRows, evaluatePredictions } from '../evaluation/metrics.js';
import { CLASSIFIER_NAMES, comparisonTable, confusionTable, perClassTable } from '../evaluation/report.js';
import { folderReader } from '../export/nodeReader.js';
import { copyRows, facesPerBatch, forEachBatch } from '../training/batches.js';
import { startProgress } from '../ui/progress.js';
import { loadForCommand, splitTitle } from './loadData.js';

export interface EvalCommandOptions {
  data: string;
  models: string;
  split: SplitName;
  json?: string;
  backend: BackendPreference;
  strict: boolean;
  limit?: number;
}

/**
 * `fer eval`: scores an exported models/ folder on labeled data through @fer/core, the
 * same code the web app runs, so anyone can check a published figure.
 */
export async function runEval(options: EvalCommandOptions): Promise<number> {
  const backend = await selectTrainingBackend({ prefer: options.backend });
  console.error(`backend: ${backend.description}`);
  const classifier = await ExpressionClassifier.create(folderReader(options.models));
  const images = await loadForCommand(options.data, options.split, { strict: options.strict, limit: options.limit });

  const svmScores = new Float32Array(images.count * NUM_EXPRESSIONS);
  const cnnProbabilities = new Float32Array(images.count * NUM_EXPRESSIONS);
  const bar = startProgress(`scoring ${splitTitle(options.split)}`, images.count, 'images');
  await forEachBatch(images, classifier.manifest.input, facesPerBatch(classifier.views), async (batch, start, count) => {
    const pass = classifier.forward(batch);
    await copyRows(pass.svmScores, svmScores, start);
    await copyRows(pass.cnnProbabilities, cnnProbabilities, start);
    Object.values(pass).forEach((t) => t.dispose());
    bar.update(start + count);
  }).finally(() => bar.stop());
  classifier.dispose();

  const split = splitTitle(options.split);
  const cnnSvm = evaluatePredictions(argmaxRows(svmScores), images.labels, split);
  const metrics = { cnnSoftmax: evaluatePredictions(argmaxRows(cnnProbabilities), images.labels, split), cnnSvm };
  console.log(comparisonTable(metrics, CLASSIFIER_NAMES));
  console.log(`\n${CLASSIFIER_NAMES.cnnSvm}:\n${perClassTable(cnnSvm)}\n\n${confusionTable(cnnSvm)}`);
  if (options.json !== undefined) {
    await writeFile(options.json, `${JSON.stringify({ models: options.models, data: options.data, metrics }, null, 2)}\n`);
    console.error(`metrics written to ${options.json}`);
  }
  return 0;
}
