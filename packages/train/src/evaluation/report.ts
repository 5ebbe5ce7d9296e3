import { EXPRESSIONS, type Evaluation } from '@fer/core';
import type { EpochSummary } from '../training/checkpoint.js';
import type { SvmHead } from '../training/svmHead.js';
import { formatDuration } from '../ui/progress.js';

/** Display names of the three compared classifiers, keyed as in the manifest's metrics. */
export const CLASSIFIER_NAMES = {
  pixelSvm: 'linear SVM on raw pixels (baseline)',
  cnnSoftmax: 'CNN softmax head',
  cnnSvm: 'CNN features + linear SVM (exported)',
} as const;

/** Each classifier's evaluation on one split; no pixelSvm when the preset skips the baseline. */
export type ClassifierMetrics = { cnnSoftmax: Evaluation; cnnSvm: Evaluation; pixelSvm?: Evaluation };

const percent = (x: number): string => `${(100 * x).toFixed(2)}%`;

/** The per-face compute budget the CNN is designed under (see the report's "Size and speed"). */
export const MAC_BUDGET = 60e6;

/** A Markdown table; also readable as plain text in a terminal. */
export function markdownTable(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const line = (cells: readonly (string | number)[]): string => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** One row per classifier: the comparison the method is about. */
export function comparisonTable(evaluations: Readonly<Record<string, Evaluation | undefined>>, names: Readonly<Record<string, string>>): string {
  return markdownTable(
    ['classifier', 'split', 'images', 'accuracy', 'macro-F1'],
    Object.entries(evaluations)
      .filter((entry): entry is [string, Evaluation] => entry[1] !== undefined)
      .map(([key, e]) => [names[key] ?? key, e.split, e.count, percent(e.accuracy), percent(e.macroF1)]),
  );
}

export function perClassTable(evaluation: Evaluation): string {
  return markdownTable(
    ['expression', 'precision', 'recall', 'F1', 'images'],
    evaluation.perClass.map((m) => [m.label, percent(m.precision), percent(m.recall), percent(m.f1), m.support]),
  );
}

/** Rows: true expression; columns: predicted. */
export function confusionTable(evaluation: Evaluation): string {
  return markdownTable(
    ['true \\ predicted', ...EXPRESSIONS],
    evaluation.confusion.map((row, t) => [EXPRESSIONS[t] ?? String(t), ...row]),
  );
}

const escapeXml = (text: string): string => text.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The confusion matrix as a standalone SVG heat map, row-normalized so rare classes
 * (disgust) read as clearly as common ones. Written by hand: it is a grid of rects,
 * and a chart library would bring a headless renderer into the training CLI for it.
 */
export function confusionSvg(evaluation: Evaluation, title: string): string {
  const cell = 64;
  const left = 90;
  const top = 70;
  const size = EXPRESSIONS.length * cell;
  const parts: string[] = [];
  evaluation.confusion.forEach((row, t) => {
    const total = row.reduce((a, b) => a + b, 0) || 1;
    row.forEach((count, p) => {
      const share = count / total;
      const x = left + p * cell;
      const y = top + t * cell;
      const light = Math.round(97 - share * 62);
      parts.push(
        `<rect x="${x}" y="${y}" width="${cell}" height="${cell}" fill="hsl(215,70%,${light}%)" stroke="#fff"/>`,
        `<text x="${x + cell / 2}" y="${y + cell / 2 - 2}" fill="${share > 0.5 ? '#fff' : '#111'}" text-anchor="middle" font-size="13">${percent(share).replace('.00', '')}</text>`,
        `<text x="${x + cell / 2}" y="${y + cell / 2 + 14}" fill="${share > 0.5 ? '#e8eefc' : '#555'}" text-anchor="middle" font-size="10">${count}</text>`,
      );
    });
  });
  EXPRESSIONS.forEach((label, i) => {
    parts.push(
      `<text x="${left - 8}" y="${top + i * cell + cell / 2 + 4}" text-anchor="end" font-size="12">${label}</text>`,
      `<text x="${left + i * cell + cell / 2}" y="${top - 8}" text-anchor="middle" font-size="12">${label}</text>`,
    );
  });
  const width = left + size + 20;
  const height = top + size + 40;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="${left}" y="24" font-size="15" font-weight="bold">${escapeXml(title)}</text>`,
    `<text x="${left}" y="42" font-size="11" fill="#555">rows: true expression, columns: predicted; share of the row (count)</text>`,
    ...parts,
    `<text x="${left + size / 2}" y="${height - 12}" text-anchor="middle" font-size="11" fill="#555">accuracy ${percent(evaluation.accuracy)} on ${evaluation.count} ${escapeXml(evaluation.split)} images</text>`,
    '</svg>',
    '',
  ].join('\n');
}

/** "; exported: epoch 252" when the exported CNNs are not just the best epoch's. */
function exportedEpochs({ bestEpoch, fusedEpochs }: { bestEpoch: number; fusedEpochs: number[] }): string {
  if (fusedEpochs.length === 1 && fusedEpochs[0] === bestEpoch) return '';
  return `; exported: epoch${fusedEpochs.length === 1 ? '' : 's'} ${fusedEpochs.join(', ')}`;
}

/** models/REPORT.md: what a reader needs to judge the shipped model, all from one training run. */
export function renderReport(
  scores: {
    /** The validation split carved from Training, where every choice was made. */
    validation: ClassifierMetrics;
    /** PublicTest, scored once. */
    test: ClassifierMetrics;
    /** PublicTest without the faces repeated from Training. */
    testWithoutRepeats: ClassifierMetrics;
  },
  cnnSvm: SvmHead,
  pixelSvm: SvmHead | undefined,
  training: {
    command: string;
    backend: string;
    epochs: number;
    bestEpoch: number;
    /** Epochs of the exported CNN(s). */
    fusedEpochs: number[];
    cnnTrainSeconds: number;
    cnnCpuSeconds: number;
    /** Multiply-accumulates of one CNN pass. */
    macs: number;
    /** CNN passes per face: 2 when the face and its mirror image are averaged. */
    cnnPassesPerFace: number;
    parameters: number;
    weightBytes: number;
    weightPrecision: string;
    cnnMsPerFace: number;
    cpu: string;
    history: EpochSummary[];
    limit: number | null;
  },
  data: { source: string; counts: Record<string, number> },
  /** What the SVM reads, e.g. "'block_last_pool' features". */
  features: string,
): string {
  return [
    '# Model report',
    '',
    `Produced by \`${training.command}\` on ${new Date().toISOString().slice(0, 10)}; every figure below comes from that run.`,
    `Data: ${data.source}: ${data.counts.train} Training images fitted on, ${data.counts.validation} held out of Training as the validation split, ` +
      `${data.counts.public} PublicTest images${training.limit === null ? '' : `, subsampled with --limit ${training.limit}`}.`,
    'Every choice (best epoch, SVM C, calibration temperature) was made on the validation split; PublicTest was scored once, after them; PrivateTest was never seen.',
    `Backend: ${training.backend}. CPU: ${training.cpu}. CNN training time: ${formatDuration(training.cnnTrainSeconds)} wall, ` +
      `${formatDuration(training.cnnCpuSeconds)} CPU (all threads, summed over resumed sessions) for ${training.epochs} epochs (best: epoch ${training.bestEpoch}${exportedEpochs(training)}).`,
    '',
    '## Size and speed',
    '',
    `${(training.parameters / 1e3).toFixed(0)}k CNN parameters, ${(training.weightBytes / 1024).toFixed(0)} KB of weights (CNN in ${training.weightPrecision}, SVM in float32), ` +
      `${(training.macs / 1e6).toFixed(1)}M multiply-accumulates per CNN pass and ${training.cnnPassesPerFace} pass${training.cnnPassesPerFace === 1 ? '' : 'es'} per face ` +
      `(${((training.macs * training.cnnPassesPerFace) / 1e6).toFixed(1)}M per face); one CNN pass on one face takes ${training.cnnMsPerFace.toFixed(1)} ms ` +
      `(median, batch 1, ${training.backend.split(';')[0]}, this machine).`,
    `Budget: at most ${MAC_BUDGET / 1e6}M multiply-accumulates per face (a fifth of MobileNetV2 at 224x224), so that several faces per frame run in real time on a phone's CPU ` +
      "(the web app's bench measures the frame rate).",
    '',
    '## Classifiers on the validation split (where choices were made) and on PublicTest (the test)',
    '',
    comparisonTable(scores.validation, CLASSIFIER_NAMES),
    '',
    comparisonTable(scores.test, CLASSIFIER_NAMES),
    '',
    comparisonTable(scores.testWithoutRepeats, CLASSIFIER_NAMES),
    '',
    `## Exported classifier: SVM on ${features}`,
    '',
    `On ${scores.test.cnnSvm.split}:`,
    '',
    perClassTable(scores.test.cnnSvm),
    '',
    '![confusion matrix](confusion-cnn-svm.svg)',
    '',
    confusionTable(scores.test.cnnSvm),
    '',
    '## SVM regularization (C), chosen on the validation split',
    '',
    markdownTable(
      ['features', 'C', 'validation accuracy'],
      [
        ...cnnSvm.search.map((s) => [features, s.C, percent(s.accuracy)]),
        ...(pixelSvm?.search ?? []).map((s) => ['raw pixels', s.C, percent(s.accuracy)]),
      ],
    ),
    '',
    `Calibration: probabilities are softmax(scores / T) with T = ${cnnSvm.temperature.toFixed(4)}, fitted on the validation split.`,
    '',
    historySection(training.history, 'validation'),
  ].join('\n');
}

/** File name of the training-history chart beside REPORT.md (see `historySvg`). */
export const HISTORY_CHART = 'training-history.svg';

/**
 * REPORT.md's training history: a summary and the chart (`historySvg`, written as HISTORY_CHART).
 * The per-epoch figures are in report.json's `training.history`.
 */
export function historySection(history: readonly EpochSummary[], validationName: string): string {
  if (history.length === 0) return ['## Training history', '', 'No epoch was completed.', ''].join('\n');
  const best = history.reduce((a, b) => (b.validationAccuracy > a.validationAccuracy ? b : a));
  const last = history[history.length - 1] as EpochSummary;
  const seconds = history.map((h) => h.seconds).sort((a, b) => a - b);
  const medianSeconds = seconds[Math.floor(seconds.length / 2)] as number;
  return [
    '## Training history',
    '',
    `${history.length} epochs, ${formatDuration(medianSeconds)} per epoch (median). ` +
      `Best ${validationName} accuracy ${percent(best.validationAccuracy)} at epoch ${best.epoch}; ` +
      `last epoch (${last.epoch}): training accuracy ${percent(last.accuracy)} (augmented), ${validationName} ${percent(last.validationAccuracy)}.`,
    '',
    `![training history](${HISTORY_CHART})`,
    '',
    "Every epoch's figures: report.json, `training.history`.",
    '',
  ].join('\n');
}

/**
 * Training and validation accuracy per epoch as a standalone SVG line chart, with the best epoch
 * marked. Written by hand like `confusionSvg`: two polylines need no chart library.
 */
export function historySvg(history: readonly EpochSummary[], validationName: string): string {
  const width = 720;
  const height = 360;
  const plot = { left: 56, top: 40, right: 16, bottom: 44 };
  const innerWidth = width - plot.left - plot.right;
  const innerHeight = height - plot.top - plot.bottom;
  const epochs = history.map((h) => h.epoch);
  const first = Math.min(...epochs, 1);
  const lastEpoch = Math.max(...epochs, first + 1);
  const values = history.flatMap((h) => [h.accuracy, h.validationAccuracy]);
  // Whole tenths around the data, so the chart neither hides differences nor exaggerates them.
  const low = Math.max(0, Math.floor(Math.min(...values, 1) * 10) / 10);
  const high = Math.min(1, Math.ceil(Math.max(...values, 0) * 10) / 10);
  const span = Math.max(high - low, 0.1);
  const x = (epoch: number) => plot.left + ((epoch - first) / (lastEpoch - first)) * innerWidth;
  const y = (accuracy: number) => plot.top + (1 - (accuracy - low) / span) * innerHeight;
  const line = (pick: (h: EpochSummary) => number) => history.map((h) => `${x(h.epoch).toFixed(1)},${y(pick(h)).toFixed(1)}`).join(' ');
  const parts: string[] = [];
  for (let tick = low; tick <= low + span + 1e-9; tick += 0.1) {
    parts.push(
      `<line x1="${plot.left}" x2="${width - plot.right}" y1="${y(tick).toFixed(1)}" y2="${y(tick).toFixed(1)}" stroke="#e3e3e3"/>`,
      `<text x="${plot.left - 6}" y="${(y(tick) + 4).toFixed(1)}" text-anchor="end" font-size="11">${Math.round(tick * 100)}%</text>`,
    );
  }
  const step = Math.max(1, Math.ceil((lastEpoch - first) / 10));
  for (let epoch = first; epoch <= lastEpoch; epoch += step) {
    parts.push(`<text x="${x(epoch).toFixed(1)}" y="${height - plot.bottom + 16}" text-anchor="middle" font-size="11">${epoch}</text>`);
  }
  const best = history.reduce<EpochSummary | undefined>(
    (a, b) => (a === undefined || b.validationAccuracy > a.validationAccuracy ? b : a),
    undefined,
  );
  if (best !== undefined) {
    parts.push(
      `<circle cx="${x(best.epoch).toFixed(1)}" cy="${y(best.validationAccuracy).toFixed(1)}" r="4" fill="#c0392b"/>`,
      `<text x="${(x(best.epoch) - 6).toFixed(1)}" y="${(y(best.validationAccuracy) - 8).toFixed(1)}" text-anchor="end" font-size="11" fill="#c0392b">best: epoch ${best.epoch}, ${percent(best.validationAccuracy)}</text>`,
    );
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="${plot.left}" y="22" font-size="14" font-weight="bold">Accuracy per epoch</text>`,
    `<text x="${width - plot.right}" y="22" text-anchor="end" font-size="11"><tspan fill="#7f8c8d">training (augmented)</tspan><tspan dx="14" fill="#2471a3">${escapeXml(validationName)}</tspan></text>`,
    ...parts,
    `<polyline fill="none" stroke="#7f8c8d" stroke-width="1.5" points="${line((h) => h.accuracy)}"/>`,
    `<polyline fill="none" stroke="#2471a3" stroke-width="2" points="${line((h) => h.validationAccuracy)}"/>`,
    `<text x="${plot.left + innerWidth / 2}" y="${height - 8}" text-anchor="middle" font-size="11" fill="#555">epoch</text>`,
    '</svg>',
    '',
  ].join('\n');
}
