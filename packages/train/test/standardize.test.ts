import { describe, expect, it } from 'vitest';
import { applyStandardizer, fitStandardizer } from '../src/svm/standardize.js';
import { gaussian } from './helpers/blobs.js';

function columnStats(x: Float32Array, dims: number, j: number) {
  const n = x.length / dims;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += x[i * dims + j]!;
  const mean = sum / n;
  let sq = 0;
  for (let i = 0; i < n; i++) sq += (x[i * dims + j]! - mean) ** 2;
  return { mean, std: Math.sqrt(sq / n) };
}

describe('standardizer', () => {
  it('gives zero mean and unit std per feature, even with a large offset', () => {
    const g = gaussian('std');
    const dims = 3;
    const n = 5000;
    const x = new Float32Array(n * dims);
    for (let i = 0; i < n; i++) {
      x[i * dims] = 1000 + 0.5 * g();
      x[i * dims + 1] = -3 + 20 * g();
      x[i * dims + 2] = g() > 0 ? 1 : 0;
    }
    const s = fitStandardizer(x, dims);
    expect(s.mean[0]).toBeCloseTo(1000, 1);
    expect(s.std[1]).toBeCloseTo(20, 0);
    const z = applyStandardizer(x, s);
    for (let j = 0; j < dims; j++) {
      const { mean, std } = columnStats(z, dims, j);
      expect(Math.abs(mean)).toBeLessThan(1e-4);
      expect(std).toBeCloseTo(1, 3);
    }
  });

  it('maps a constant feature to zero without dividing by zero, and leaves the input alone', () => {
    const x = Float32Array.from([5, 1, 5, 2, 5, 3]);
    const copy = x.slice();
    const s = fitStandardizer(x, 2);
    expect(s.std[0]).toBe(1);
    const z = applyStandardizer(x, s);
    expect(Array.from(z.filter((_, i) => i % 2 === 0))).toEqual([0, 0, 0]);
    expect(z.every(Number.isFinite)).toBe(true);
    expect(x).toEqual(copy);
    // A unit dead in training that fires later stays on a sane scale.
    expect(applyStandardizer(Float32Array.from([7, 2]), s)[0]).toBe(2);
  });

  it('writes into shared memory when asked, with the same values', () => {
    const x = Float32Array.from([1, 10, 3, 30, 8, 20]);
    const s = fitStandardizer(x, 2);
    const shared = applyStandardizer(x, s, { shared: true });
    expect(shared.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(applyStandardizer(x, s).buffer).not.toBeInstanceOf(SharedArrayBuffer);
    expect(Array.from(shared)).toEqual(Array.from(applyStandardizer(x, s)));
  });

  it('rejects a length that is not a multiple of dims', () => {
    expect(() => fitStandardizer(new Float32Array(5), 2)).toThrow(RangeError);
    expect(() => applyStandardizer(new Float32Array(5), { mean: new Float32Array(2), std: new Float32Array(2).fill(1) })).toThrow(RangeError);
  });
});
