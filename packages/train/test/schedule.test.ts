import { describe, expect, it } from 'vitest';
import { cycleEnds, learningRateAt } from '../src/training/schedule.js';

describe('learningRateAt', () => {
  it('decays once from the peak to 2% over all epochs without restarts', () => {
    expect(learningRateAt(1, 0, 10)).toBeCloseTo(1, 12);
    expect(learningRateAt(1, 5, 10)).toBeCloseTo(0.51, 12);
    expect(learningRateAt(1, 10, 10)).toBeCloseTo(0.02, 12);
  });

  it('restarts at each cycle end, in cycles of 4, 8, 16 epochs, whatever the total', () => {
    const restarts = { firstCycle: 4, growth: 2 };
    expect(learningRateAt(1e-3, 4, 12, restarts)).toBeCloseTo(2e-5, 12);
    expect(learningRateAt(1e-3, 4.0001, 12, restarts)).toBeCloseTo(1e-3, 8);
    expect(learningRateAt(1e-3, 8, 12, restarts)).toBeCloseTo(0.51e-3, 12);
    expect(learningRateAt(1e-3, 12, 12, restarts)).toBeCloseTo(2e-5, 12);
    for (const t of [0.5, 3, 7.25, 11, 13, 27.9]) expect(learningRateAt(1e-3, t, 12, restarts)).toBe(learningRateAt(1e-3, t, 28, restarts));
    expect(cycleEnds(restarts, 60)).toEqual([4, 12, 28, 60]);
  });
});
