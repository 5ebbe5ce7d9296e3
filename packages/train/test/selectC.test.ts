import { describe, expect, it } from 'vitest';
import { selectC } from '../src/svm/selectC.js';
import { blobs } from './helpers/blobs.js';

describe('selectC', () => {
  it('scores every candidate on the validation set and returns the most accurate', () => {
    // Two overlapping classes in 20 dims, only the first informative: a tiny C underfits the bias,
    // a huge C fits the noise dims of a small training set.
    const dims = 20;
    const centers = [new Array<number>(dims).fill(0), [1.5, ...new Array<number>(dims - 1).fill(0)]];
    const train = blobs(centers, [60, 20], 1, 'sel-train');
    const validation = blobs(centers, [600, 200], 1, 'sel-val');
    const candidates = [1e-4, 1e-2, 1, 100];
    const { results, best } = selectC(train, validation, candidates, { dims, numClasses: 2, seed: 1 });
    expect(results.map((r) => r.C)).toEqual(candidates);
    const top = Math.max(...results.map((r) => r.accuracy));
    expect(best.accuracy).toBe(top);
    expect(best.C).toBe(Math.min(...results.filter((r) => r.accuracy === top).map((r) => r.C)));
    expect(best.model.dims).toBe(dims);
    for (const r of results) expect(r.accuracy).toBeGreaterThan(0.5);
  });

  it('breaks ties towards the smaller C', () => {
    const centers = [
      [-10, 0],
      [10, 0],
    ];
    const train = blobs(centers, [30, 30], 1, 'tie-train');
    const validation = blobs(centers, [100, 100], 1, 'tie-val');
    const { results, best } = selectC(train, validation, [10, 1, 0.1], { dims: 2, numClasses: 2 });
    expect(results.every((r) => r.accuracy === 1)).toBe(true);
    expect(best.C).toBe(0.1);
  });
});
