import SVM from 'ml-svm';
import { describe, expect, it } from 'vitest';
import { decisionValues, fitLinearSvm, predictClasses, type LinearSvmModel } from '../src/svm/linearSvm.js';
import { accuracy, blobs, randomCenters } from './helpers/blobs.js';

/** Row `k` of the one-vs-rest problem: primal objective with the bias regularised, as the solver defines it. */
function primal(model: LinearSvmModel, k: number, x: Float32Array, labels: Uint8Array, C: number, loss: 'hinge' | 'squared-hinge') {
  const { dims } = model;
  const n = labels.length;
  const w = Array.from(model.weights.subarray(k * dims, (k + 1) * dims));
  const b = model.bias[k]!;
  let objective = 0.5 * (w.reduce((s, v) => s + v * v, 0) + b * b);
  const gradW = w.slice();
  let gradB = b;
  for (let i = 0; i < n; i++) {
    const y = labels[i] === k ? 1 : -1;
    let m = b;
    for (let j = 0; j < dims; j++) m += w[j]! * x[i * dims + j]!;
    const xi = Math.max(0, 1 - y * m);
    objective += C * (loss === 'hinge' ? xi : xi * xi);
    // Gradient of the squared hinge (the hinge is not differentiable at the kink).
    for (let j = 0; j < dims; j++) gradW[j]! -= 2 * C * y * xi * x[i * dims + j]!;
    gradB -= 2 * C * y * xi;
  }
  const gradNorm = Math.sqrt(gradW.reduce((s, v) => s + v * v, 0) + gradB * gradB);
  const wNorm = Math.sqrt(w.reduce((s, v) => s + v * v, 0) + b * b);
  return { objective, relativeGradient: gradNorm / wNorm };
}

describe('fitLinearSvm', () => {
  it('separates well-separated blobs, 2 and 4 classes', () => {
    for (const K of [2, 4]) {
      const centers = randomCenters(K, 8, 12, `sep-centers-${K}`);
      const train = blobs(centers, new Array<number>(K).fill(100), 1, `sep-train-${K}`);
      const test = blobs(centers, new Array<number>(K).fill(200), 1, `sep-test-${K}`);
      const model = fitLinearSvm(train.features, train.labels, 8, K, { C: 1, seed: 1 });
      expect(accuracy(predictClasses(model, train.features), train.labels)).toBe(1);
      expect(accuracy(predictClasses(model, test.features), test.labels)).toBeGreaterThan(0.99);
    }
  });

  it('classifies overlapping blobs near the Bayes rate, with either loss', () => {
    // Centers 2.5 apart along one axis each, unit noise: the Bayes error is small but non-zero.
    const K = 4;
    const centers = Array.from({ length: K }, (_, k) => Array.from({ length: 6 }, (_, j) => (j === k ? 2.5 : 0)));
    const train = blobs(centers, new Array<number>(K).fill(300), 1, 'overlap-train');
    const test = blobs(centers, new Array<number>(K).fill(500), 1, 'overlap-test');
    for (const loss of ['hinge', 'squared-hinge'] as const) {
      const model = fitLinearSvm(train.features, train.labels, 6, K, { C: 0.1, loss, seed: 2 });
      const trainAcc = accuracy(predictClasses(model, train.features), train.labels);
      const testAcc = accuracy(predictClasses(model, test.features), test.labels);
      expect(trainAcc).toBeLessThan(1);
      expect(testAcc).toBeGreaterThan(0.8);
    }
  });

  it('agrees with ml-svm (SMO, hinge loss) on a small binary problem', () => {
    // Symmetric blobs around the origin: the true bias is ~0, so LIBLINEAR's regularised bias and
    // SMO's free bias give the same hyperplane.
    const dims = 5;
    const mu = [1.2, -0.8, 0.5, 0, 0.3];
    const centers = [mu.map((v) => -v), mu];
    const train = blobs(centers, [100, 100], 1, 'mlsvm-train');
    const test = blobs(centers, [1000, 1000], 1, 'mlsvm-test');
    const C = 1;
    const rows = (f: Float32Array, n: number) => Array.from({ length: n }, (_, i) => Array.from(f.subarray(i * dims, (i + 1) * dims)));

    let state = 12345;
    const random = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
    const reference = new SVM({ C, kernel: 'linear', whitening: false, tol: 1e-4, maxPasses: 20, random });
    reference.train(
      rows(train.features, train.n),
      Array.from(train.labels, (l) => (l === 1 ? 1 : -1)),
    );
    const referenceMargins = reference.margin(rows(test.features, test.n));

    const model = fitLinearSvm(train.features, train.labels, dims, 2, {
      C,
      loss: 'hinge',
      tolerance: 1e-4,
      maxIterations: 10000,
      seed: 3,
    });
    const scores = decisionValues(model, test.features);
    let agree = 0;
    let confidentDisagreements = 0;
    for (let i = 0; i < test.n; i++) {
      const ours = scores[i * 2 + 1]!;
      const theirs = referenceMargins[i]!;
      expect(scores[i * 2]).toBeCloseTo(-ours, 5);
      if (Math.sign(ours) === Math.sign(theirs)) agree++;
      else if (Math.abs(theirs) > 0.1) confidentDisagreements++;
    }
    expect(agree / test.n).toBeGreaterThanOrEqual(0.98);
    // Signs may only differ right at the boundary.
    expect(confidentDisagreements).toBe(0);
  });

  it('reaches the optimum: default tolerance is close to a long run, and the long run satisfies KKT', () => {
    const K = 4;
    const dims = 10;
    const centers = randomCenters(K, dims, 3, 'kkt-centers');
    const train = blobs(centers, [150, 100, 120, 80], 1, 'kkt-train');
    for (const loss of ['hinge', 'squared-hinge'] as const) {
      const C = 0.5;
      const quick = fitLinearSvm(train.features, train.labels, dims, K, { C, loss, seed: 4 });
      const long = fitLinearSvm(train.features, train.labels, dims, K, {
        C,
        loss,
        seed: 4,
        tolerance: 1e-7,
        maxIterations: 100000,
      });
      const coarse = fitLinearSvm(train.features, train.labels, dims, K, { C, loss, seed: 4, maxIterations: 1 });
      for (let k = 0; k < K; k++) {
        const pLong = primal(long, k, train.features, train.labels, C, loss);
        const pQuick = primal(quick, k, train.features, train.labels, C, loss);
        const pCoarse = primal(coarse, k, train.features, train.labels, C, loss);
        expect(pQuick.objective).toBeGreaterThanOrEqual(pLong.objective * (1 - 1e-5));
        expect(pQuick.objective).toBeLessThan(pLong.objective * 1.01);
        expect(pCoarse.objective).toBeGreaterThan(pQuick.objective);
        if (loss === 'squared-hinge') expect(pLong.relativeGradient).toBeLessThan(1e-4);
      }
    }
  });

  it('gives the same solution with and without shrinking', () => {
    const centers = randomCenters(3, 6, 3, 'shrink-centers');
    const train = blobs(centers, [200, 200, 200], 1, 'shrink-train');
    const opts = { C: 1, seed: 5, tolerance: 1e-6, maxIterations: 100000 };
    const a = fitLinearSvm(train.features, train.labels, 6, 3, { ...opts, shrinking: true });
    const b = fitLinearSvm(train.features, train.labels, 6, 3, { ...opts, shrinking: false });
    for (let i = 0; i < a.weights.length; i++) expect(a.weights[i]).toBeCloseTo(b.weights[i]!, 3);
    for (let i = 0; i < a.bias.length; i++) expect(a.bias[i]).toBeCloseTo(b.bias[i]!, 3);
  });

  it('is reproducible with the same seed', () => {
    const centers = randomCenters(3, 6, 2, 'seed-centers');
    const train = blobs(centers, [150, 150, 150], 1, 'seed-train');
    const fit = (seed: number) => fitLinearSvm(train.features, train.labels, 6, 3, { C: 1, seed });
    const a = fit(7);
    const b = fit(7);
    const c = fit(8);
    expect(b.weights).toEqual(a.weights);
    expect(b.bias).toEqual(a.bias);
    // Another permutation stops at a slightly different point of the same optimum.
    expect(c.weights).not.toEqual(a.weights);
    expect(accuracy(predictClasses(c, train.features), predictClasses(a, train.features))).toBeGreaterThan(0.97);
  });

  it("raises minority recall with classWeight 'balanced'", () => {
    const centers = [
      [0, 0],
      [1.5, 0],
      [0, 1.5],
    ];
    const train = blobs(centers, [600, 30, 600], 1, 'imb-train');
    const test = blobs(centers, [500, 500, 500], 1, 'imb-test');
    const recall = (classWeight: 'balanced' | 'none') => {
      const model = fitLinearSvm(train.features, train.labels, 2, 3, { C: 1, seed: 6, classWeight });
      const predicted = predictClasses(model, test.features);
      let hit = 0;
      for (let i = 0; i < test.n; i++) if (test.labels[i] === 1 && predicted[i] === 1) hit++;
      return hit / 500;
    };
    expect(recall('balanced')).toBeGreaterThan(recall('none') + 0.2);
  });

  it('reports progress per class and pass', () => {
    const train = blobs(randomCenters(3, 4, 5, 'p-c'), [50, 50, 50], 1, 'p-train');
    const seen = new Map<number, number>();
    fitLinearSvm(train.features, train.labels, 4, 3, { C: 1, onProgress: (k, it) => seen.set(k, it) });
    expect([...seen.keys()]).toEqual([0, 1, 2]);
    for (const it of seen.values()) expect(it).toBeGreaterThan(0);
  });

  it('rejects inconsistent input', () => {
    const x = new Float32Array(12);
    const y = new Uint8Array([0, 1, 0, 1]);
    expect(() => fitLinearSvm(x, y, 4, 2, { C: 1 })).toThrow(RangeError);
    expect(() => fitLinearSvm(x, y, 3, 1, { C: 1 })).toThrow(RangeError);
    expect(() => fitLinearSvm(x, new Uint8Array([0, 1, 2, 1]), 3, 2, { C: 1 })).toThrow(RangeError);
    expect(() => fitLinearSvm(x, y, 3, 2, { C: 0 })).toThrow(RangeError);
  });

  it('fits 5,000 x 256 with 7 classes within the test timeout', { timeout: 30_000 }, () => {
    const dims = 256;
    const K = 7;
    const centers = randomCenters(K, dims, 4, 'big-centers');
    const counts = [696, 76, 714, 1257, 841, 552, 864];
    const train = blobs(centers, counts, 1, 'big-train');
    const started = performance.now();
    const model = fitLinearSvm(train.features, train.labels, dims, K, { C: 0.1, seed: 9 });
    const seconds = (performance.now() - started) / 1000;
    expect(accuracy(predictClasses(model, train.features), train.labels)).toBeGreaterThan(0.9);
    expect(seconds).toBeLessThan(20);
  });
});
