import { describe, expect, it } from 'vitest';
import { HISTORY_CHART, historySection, historySvg } from '../src/evaluation/report.js';
import type { EpochSummary } from '../src/training/checkpoint.js';

const epoch = (n: number, accuracy: number, validationAccuracy: number): EpochSummary => ({
  epoch: n,
  loss: 1,
  accuracy,
  validationLoss: 1,
  validationAccuracy,
  learningRate: 1e-3,
  seconds: 60 * n,
});
const history = [epoch(1, 0.3, 0.35), epoch(2, 0.5, 0.52), epoch(3, 0.6, 0.5)];

describe('the training history in REPORT.md', () => {
  it('is a summary naming the best epoch and the chart, not a table of every epoch', () => {
    const section = historySection(history, 'validation');
    expect(section).toContain('3 epochs');
    expect(section).toContain('Best validation accuracy 52.00% at epoch 2');
    expect(section).toContain(`![training history](${HISTORY_CHART})`);
    expect(section).not.toMatch(/^\| 1 \|/m);
  });

  it('charts both accuracies per epoch and marks the best', () => {
    const svg = historySvg(history, 'validation');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<polyline/g)).toHaveLength(2);
    expect(svg).toContain('best: epoch 2, 52.00%');
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
  });
});
