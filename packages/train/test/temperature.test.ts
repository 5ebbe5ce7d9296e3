import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { fitTemperature, softmaxWithTemperature } from '../src/svm/temperature.js';
import { gaussian } from './helpers/blobs.js';

describe('temperature scaling', () => {
  it('recovers the temperature that generated the labels', () => {
    const K = 5;
    const n = 20000;
    const g = gaussian('logits');
    const rng = seedrandom('labels');
    const trueT = 2.5;
    const logits = new Float32Array(n * K);
    for (let i = 0; i < logits.length; i++) logits[i] = 2 * g();
    // Labels drawn from softmax(logits); the solver only sees logits * trueT.
    const p = softmaxWithTemperature(logits, K, 1);
    const labels = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      let u = rng();
      let k = 0;
      while (k < K - 1 && (u -= p[i * K + k]!) > 0) k++;
      labels[i] = k;
    }
    const scores = logits.map((v) => v * trueT);
    expect(fitTemperature(scores, labels, K)).toBeCloseTo(trueT, 0);
    expect(Math.abs(fitTemperature(scores, labels, K) / trueT - 1)).toBeLessThan(0.05);
  });

  it('produces finite probabilities that sum to one, even for extreme scores and tiny T', () => {
    const scores = Float32Array.from([1000, -1000, 0, 3, 2, 1]);
    for (const T of [1e-3, 1, 1e3]) {
      const p = softmaxWithTemperature(scores, 3, T);
      for (let i = 0; i < 2; i++) {
        const row = Array.from(p.subarray(i * 3, i * 3 + 3));
        expect(row.every(Number.isFinite)).toBe(true);
        expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      }
    }
    expect(softmaxWithTemperature(scores, 3, 1e3)[3]).toBeCloseTo(1 / 3, 2);
  });

  it('fits a finite temperature when the scores are perfectly confident', () => {
    const scores = Float32Array.from([50, -50, -50, 50]);
    const T = fitTemperature(scores, Uint8Array.from([0, 1]), 2);
    expect(Number.isFinite(T)).toBe(true);
    expect(T).toBeGreaterThan(0);
  });
});
