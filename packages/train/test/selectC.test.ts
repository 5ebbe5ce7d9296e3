import { describe, expect, it } from 'vitest';
import { fitLinearSvm } from '../src/svm/linearSvm.js';
import { selectC } from '../src/svm/selectC.js';
import { sharedCopy } from '../src/system/sharedMemory.js';
import { blobs } from './helpers/blobs.js';

describe('selectC', () => {
  it('scores every candidate on the validation set and returns the most accurate', async () => {
    // Two overlapping classes in 20 dims, only the first informative: a tiny C underfits the bias,
    // a huge C fits the noise dims of a small training set.
    const dims = 20;
    const centers = [new Array<number>(dims).fill(0), [1.5, ...new Array<number>(dims - 1).fill(0)]];
    const train = blobs(centers, [60, 20], 1, 'sel-train');
    const validation = blobs(centers, [600, 200], 1, 'sel-val');
    const candidates = [1e-4, 1e-2, 1, 100];
    const { results, best } = await selectC(train, validation, candidates, { dims, numClasses: 2, seed: 1 });
    expect(results.map((r) => r.C)).toEqual(candidates);
    const top = Math.max(...results.map((r) => r.accuracy));
    expect(best.accuracy).toBe(top);
    expect(best.C).toBe(Math.min(...results.filter((r) => r.accuracy === top).map((r) => r.C)));
    expect(best.model.dims).toBe(dims);
    for (const r of results) expect(r.accuracy).toBeGreaterThan(0.5);
  });

  it('breaks ties towards the smaller C', async () => {
    const centers = [
      [-10, 0],
      [10, 0],
    ];
    const train = blobs(centers, [30, 30], 1, 'tie-train');
    const validation = blobs(centers, [100, 100], 1, 'tie-val');
    const { results, best } = await selectC(train, validation, [10, 1, 0.1], { dims: 2, numClasses: 2 });
    expect(results.every((r) => r.accuracy === 1)).toBe(true);
    expect(best.C).toBe(0.1);
  });

  it('fits each candidate in a worker thread exactly as fitting it here would, however many run at once, from shared memory or not', async () => {
    const centers = [
      [0, 0, 0],
      [2, 0, 0],
      [0, 2, 0],
    ];
    const train = blobs(centers, [40, 40, 40], 1, 'threads-train');
    const validation = blobs(centers, [50, 50, 50], 1, 'threads-val');
    const options = { dims: 3, numClasses: 3, seed: 7 };
    const one = await selectC(train, validation, [0.01, 1], { ...options, threads: 1 });
    const two = await selectC(train, validation, [0.01, 1], { ...options, threads: 2 });
    const shared = await selectC({ ...train, features: sharedCopy(train.features) }, validation, [0.01, 1], { ...options, threads: 2 });
    for (const [i, C] of [0.01, 1].entries()) {
      const here = fitLinearSvm(train.features, train.labels, 3, 3, { C, seed: 7 });
      expect(one.results[i]?.model).toEqual(here);
      expect(two.results[i]?.model).toEqual(here);
      expect(shared.results[i]?.model).toEqual(here);
    }
  });

  it("rejects with the candidate and the solver's reason when a fit fails", async () => {
    const train = blobs([[0], [1]], [5, 5], 1, 'bad-train');
    await expect(selectC(train, train, [1, -1], { dims: 1, numClasses: 2 })).rejects.toThrow(
      'the SVM fit for C=-1 failed: C must be positive, got -1',
    );
  });
});
