import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { ExpressionClassifier, loadArtifacts, type TestTimeView } from '@fer/core';
import { afterAll, describe, expect, it } from 'vitest';
import { sequence, tinyArtifacts } from '../../core/test/tinyArtifacts.js';
import type { LabeledImages } from '../src/data/dataset.js';
import { compareKernels, compareLinearWithRandomFeatures, randomFourierFeatures } from '../src/studies/kernels.js';
import { findNoisyImages } from '../src/studies/noisyImages.js';
import { carriedStudySections, studySections, updateReportSection } from '../src/studies/reportSection.js';
import { compareViewSets } from '../src/studies/testTimeViews.js';

const area = 48 * 48;
const work = mkdtempSync(join(tmpdir(), 'fer-studies-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Images whose pixels are given per image as a function of the pixel index. */
function images(specs: { label: number; pixel: (p: number) => number }[]): LabeledImages {
  const pixels = new Uint8Array(specs.length * area);
  specs.forEach((spec, i) => {
    for (let p = 0; p < area; p++) pixels[i * area + p] = spec.pixel(p);
  });
  return {
    split: 'train',
    size: 48,
    count: specs.length,
    pixels,
    labels: Uint8Array.from(specs, (s) => s.label),
    sources: specs.map((_, i) => `img${i}`),
  };
}

describe('findNoisyImages', () => {
  it('flags blank frames and every copy of a face filed under two expressions, not same-label copies', () => {
    const face = (p: number) => (p * 37) % 251;
    const other = (p: number) => (p * 11) % 199;
    const data = images([
      { label: 3, pixel: face },
      { label: 0, pixel: () => 0 },
      { label: 5, pixel: face },
      { label: 4, pixel: other },
      { label: 4, pixel: other },
      { label: 2, pixel: (p) => 128 + (p % 2) },
    ]);
    expect(findNoisyImages(data)).toEqual([
      { index: 0, reason: 'conflicting-duplicate' },
      { index: 1, reason: 'blank' },
      { index: 2, reason: 'conflicting-duplicate' },
      { index: 5, reason: 'blank' },
    ]);
  });
});

describe('updateReportSection', () => {
  it("appends a study's section once, then replaces only that section", async () => {
    const report = join(work, 'REPORT.md');
    writeFileSync(report, '# Model report\n\nbody\n');
    await updateReportSection(report, 'layers', 'first run');
    await updateReportSection(report, 'noise', 'noise table');
    await updateReportSection(report, 'layers', 'second run');
    const text = readFileSync(report, 'utf8');
    expect(text.startsWith('# Model report\n\nbody\n')).toBe(true);
    expect(text).toContain('<!-- study:layers -->\nsecond run\n<!-- /study:layers -->');
    expect(text).not.toContain('first run');
    expect(text.indexOf('study:layers')).toBeLessThan(text.indexOf('study:noise'));
  });
});

describe('carriedStudySections', () => {
  it("flags a previous model's studies once, however many exports carry them", () => {
    const report = '# Model report\n\n<!-- study:noise -->\n## Study: noise\n\n| a |\n<!-- /study:noise -->\n';
    const once = carriedStudySections(report);
    const twice = carriedStudySections(once.join('\n'));
    expect(twice).toEqual(once);
    const [section] = studySections(once.join('\n'));
    expect(section?.name).toBe('noise');
    expect(section?.markdown).toMatch(/^> Ran on an earlier model .*studies\/noise\.json.*pnpm study noise/);
    expect(section?.markdown.endsWith('## Study: noise\n\n| a |')).toBe(true);
    expect(carriedStudySections('# no studies\n')).toEqual([]);
  });
});

/** Class k (0..2) lies on a ring of radius k + 1 in 2-D: not linearly separable beyond chance. */
function ring(count: number, seed: number) {
  const features = new Float32Array(count * 2);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const k = i % 3;
    const angle = (i * 2.399 + seed) % (2 * Math.PI);
    features[2 * i] = (k + 1) * Math.cos(angle);
    features[2 * i + 1] = (k + 1) * Math.sin(angle);
    labels[i] = k;
  }
  return { features, labels };
}

describe('compareKernels', () => {
  it('scores linear and RBF SVMs: RBF separates classes a linear SVM cannot (rings)', () => {
    const results = compareKernels(ring(150, 0), ring(90, 1), 2, { linearC: [1], rbfC: [10] });
    expect(results.map((r) => r.kernel)).toEqual(['linear (dual coordinate descent)', 'RBF (ml-svm, SMO)']);
    const [linear, rbf] = results;
    expect(rbf!.accuracy).toBeGreaterThan(0.9);
    expect(linear!.accuracy).toBeLessThan(0.7);
    for (const r of results) expect(r.predictMsPerImage).toBeGreaterThanOrEqual(0);
  });
});

describe('randomFourierFeatures', () => {
  it('approximates the RBF kernel exp(-|x - y|^2 / (2 sigma^2)) by dot products', () => {
    const dims = 4;
    const points = Float32Array.from({ length: 6 * dims }, (_, i) => Math.sin(i * 1.7) * 2);
    const sigma = 2;
    const z = randomFourierFeatures(points, dims, { count: 4096, sigma, seed: 3 });
    for (const [a, b] of [
      [0, 1],
      [2, 5],
      [3, 3],
    ] as const) {
      let squared = 0;
      for (let d = 0; d < dims; d++) squared += (points[a * dims + d]! - points[b * dims + d]!) ** 2;
      let dot = 0;
      for (let k = 0; k < 4096; k++) dot += z[a * 4096 + k]! * z[b * 4096 + k]!;
      expect(dot).toBeCloseTo(Math.exp(-squared / (2 * sigma * sigma)), 1);
    }
  });
});

describe('compareLinearWithRandomFeatures', () => {
  it('a linear SVM on random Fourier features separates rings that a linear SVM on the features cannot', () => {
    const results = compareLinearWithRandomFeatures(ring(300, 0), ring(90, 1), 2, { linearC: [1], rbfC: [10], count: 256, seed: 5 });
    expect(results.map((r) => r.kernel)).toEqual(['linear (dual coordinate descent)', 'RBF, random Fourier features']);
    const [linear, rbf] = results;
    expect(rbf!.accuracy).toBeGreaterThan(0.9);
    expect(linear!.accuracy).toBeLessThan(0.7);
  });
});

describe('compareViewSets', () => {
  it('scores each set as a classifier whose manifest lists its views does, counting mirror passes', async () => {
    const artifacts = await tinyArtifacts();
    const loaded = await loadArtifacts(artifacts.reader);
    const withViews = (views: TestTimeView[]) =>
      ExpressionClassifier.fromArtifacts({
        ...loaded,
        manifest: { ...loaded.manifest, cnn: { ...loaded.manifest.cnn, mirrorAverage: true, testTimeViews: views } },
      });
    // A quarter turn: far enough from the face to change the tiny classifier's decisions.
    const turned: TestTimeView = { dx: 0, dy: 0, degrees: 90, zoom: 1 };
    const next = sequence(5);
    const faces = images(Array.from({ length: 12 }, () => ({ label: 0, pixel: () => Math.round(127.5 + 127.5 * next()) })));
    /** Each face's predicted class through the public API of a classifier with `views`. */
    const predicted = async (views: TestTimeView[]): Promise<number[]> => {
      const classifier = withViews(views);
      const pixels = tf.tensor4d(faces.pixels, [faces.count, 48, 48, 1], 'int32');
      const predictions = await classifier.classify(pixels);
      pixels.dispose();
      return predictions.map((p) => p.svmScores.indexOf(Math.max(...p.svmScores)));
    };
    const plain = await predicted([]);
    const both = await predicted([turned]);
    // Half the labels agree with the face alone, half with the two views: neither set scores 0% or 100% by accident.
    faces.labels = Uint8Array.from(plain, (k, i) => (i % 2 === 0 ? k : (both[i] as number)));
    const accuracy = (classes: number[]) => classes.filter((k, i) => k === faces.labels[i]).length / faces.count;
    expect(accuracy(both)).not.toBe(accuracy(plain));

    const reloaded = await loadArtifacts(artifacts.reader);
    const mirrored = { ...reloaded, manifest: { ...reloaded.manifest, cnn: { ...reloaded.manifest.cnn, mirrorAverage: true } } };
    const [alone, turnedToo] = await compareViewSets(
      mirrored,
      faces,
      { alone: { title: 'the face', views: [] }, turned: { title: '+ a quarter turn', views: [turned] } },
      { splitTitle: 'test' },
    );
    expect(alone!.cnnPasses).toBe(2);
    expect(turnedToo!.cnnPasses).toBe(4);
    expect(alone!.cnnSvm.accuracy).toBeCloseTo(accuracy(plain), 10);
    expect(turnedToo!.cnnSvm.accuracy).toBeCloseTo(accuracy(both), 10);
  });
});
