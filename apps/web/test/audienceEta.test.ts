import { describe, expect, it } from 'vitest';
import { AnalysisEta, formatRemaining } from '../src/lib/audience/eta';

describe('video analysis time estimate', () => {
  it('scales the active analysis time by what is left, pauses excluded', () => {
    const eta = new AnalysisEta();
    eta.start(0);
    expect(eta.remainingMs(0.02, 1000)).toBeUndefined();
    // 10 s for a quarter: 30 s to go.
    expect(eta.remainingMs(0.25, 10_000)).toBe(30_000);
    eta.pause(10_000);
    // A minute's pause changes nothing.
    expect(eta.remainingMs(0.25, 70_000)).toBe(30_000);
    eta.resume(70_000);
    expect(eta.remainingMs(0.5, 80_000)).toBe(20_000);
    expect(eta.remainingMs(1, 90_000)).toBeUndefined();
  });

  it('words the estimate', () => {
    expect(formatRemaining(undefined)).toBe('estimating time left…');
    expect(formatRemaining(31_000)).toBe('about 40 s left');
    expect(formatRemaining(2_000)).toBe('about 10 s left');
    expect(formatRemaining(185_000)).toBe('about 3 min left');
    expect(formatRemaining(3_900_000)).toBe('about 1 h 5 min left');
  });
});
