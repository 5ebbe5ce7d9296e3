import { describe, expect, it } from 'vitest';
import { chooseThresholds, isUnsure, topTwo, UNSURE_GRID } from '../src/lib/confidence/unsure';
import record from '../src/lib/confidence/unsureThresholds.json';

describe('unsure', () => {
  it('finds the top probability and its lead over the second', () => {
    const { top, margin, index } = topTwo([0.1, 0.05, 0.05, 0.22, 0.28, 0.2, 0.1]);
    expect(index).toBe(4);
    expect(top).toBeCloseTo(0.28);
    expect(margin).toBeCloseTo(0.06);
  });

  it('calls a face unsure when the top is low or barely ahead', () => {
    const thresholds = { minTop: 0.5, minMargin: 0.15 };
    expect(isUnsure([0.99, 0.01, 0, 0, 0, 0, 0], thresholds)).toBe(false);
    expect(isUnsure([0.45, 0.1, 0.1, 0.1, 0.1, 0.1, 0.05], thresholds)).toBe(true);
    expect(isUnsure([0.52, 0.4, 0.08, 0, 0, 0, 0], thresholds)).toBe(true);
  });

  it('chooses the thresholds that keep the most faces sure at the target accuracy', () => {
    // Confident faces are right, hesitant ones wrong: the rule must cut between them.
    const rows = [
      [0.9, 0.1, 0, 0, 0, 0, 0, 0],
      [0.8, 0.1, 0.1, 0, 0, 0, 0, 0],
      [0.4, 0.35, 0.25, 0, 0, 0, 0, 1],
      [0.35, 0.33, 0.32, 0, 0, 0, 0, 1],
    ];
    const probabilities = Float32Array.from(rows.flatMap((r) => r.slice(0, 7)));
    const labels = rows.map((r) => r[7] as number);
    const { chosen, overallAccuracy } = chooseThresholds(probabilities, labels, UNSURE_GRID, 0.9);
    expect(overallAccuracy).toBe(0.5);
    expect(chosen.sureShare).toBe(0.5);
    expect(chosen.sureAccuracy).toBe(1);
    expect(chosen.unsureAccuracy).toBe(0);
  });

  it('ships thresholds with the evidence for them', () => {
    expect(record.minTop).toBeGreaterThan(0);
    expect(record.sureAccuracy).toBeGreaterThan(record.unsureAccuracy);
    expect(record.command).toMatch(/choose-unsure-threshold/);
  });
});
