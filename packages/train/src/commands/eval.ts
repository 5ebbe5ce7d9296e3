import { writeFile } from 'node:fs/promises';
import { disposeForwardPass, ExpressionClassifier, NUM_EXPRESSIONS } from '@fer/core';
import { selectTrainingBackend, type BackendPreference } from '../backend/selectBackend.js';
import { evaluateScores } from '../evaluation/metrics.js';
import { CLASSIFIER_NAMES, comparisonTable, confusionTable, perClassTable } from '../evaluation/report.js';
import { folderReader } from '../export/nodeReader.js';
import { copyRows, facesPerBatch, forEachBatch } from '../training/batches.js';
import { startProgress } from '../ui/progress.js';
import { loadScoredSplit, type ScoredSplit } from './loadData.js';

export interface EvalCommandOptions {
  data: string;
  models: string;
  split: ScoredSplit;
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
  const { images, title: split, repeats } = await loadScoredSplit(options.data, options.split, { strict: options.strict, limit: options.limit });

  const svmScores = new Float32Array(images.count * NUM_EXPRESSIONS);
  const cnnProbabilities = new Float32Array(images.count * NUM_EXPRESSIONS);
  const bar = startProgress(`scoring ${split}`, images.count, 'images');
  await forEachBatch(images, classifier.manifest.input, facesPerBatch(classifier.views), async (batch, start, count) => {
    const pass = classifier.forward(batch);
    await copyRows(pass.svmScores, svmScores, start);
    await copyRows(pass.cnnProbabilities, cnnProbabilities, start);
    disposeForwardPass(pass);
    bar.update(start + count);
  }).finally(() => bar.stop());
  classifier.dispose();

  const metrics = { cnnSoftmax: evaluateScores(cnnProbabilities, images.labels, split), cnnSvm: evaluateScores(svmScores, images.labels, split) };
  console.log(comparisonTable(metrics, CLASSIFIER_NAMES));
  // FER2013 repeats some faces across splits: the figure without them is the one that measures generalisation.
  const unique = repeats === undefined || repeats.size === 0 ? undefined : `${split} without the ${repeats.size} faces repeated from Training`;
  const metricsWithoutRepeats =
    unique === undefined
      ? undefined
      : {
          cnnSoftmax: evaluateScores(cnnProbabilities, images.labels, unique, repeats),
          cnnSvm: evaluateScores(svmScores, images.labels, unique, repeats),
        };
  if (metricsWithoutRepeats !== undefined) console.log(`\n${comparisonTable(metricsWithoutRepeats, CLASSIFIER_NAMES)}`);
  console.log(`\n${CLASSIFIER_NAMES.cnnSvm}:\n${perClassTable(metrics.cnnSvm)}\n\n${confusionTable(metrics.cnnSvm)}`);
  if (options.json !== undefined) {
    await writeFile(options.json, `${JSON.stringify({ models: options.models, data: options.data, metrics, metricsWithoutRepeats }, null, 2)}\n`);
    console.error(`metrics written to ${options.json}`);
  }
  return 0;
}
