import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { EXPRESSIONS, ExpressionClassifier, expressionIndexFromCsvCode, loadArtifacts, normalizeGray, saliencyMap } from '../src/index.js';
import { FEATURE_LAYER, sequence, tinyArtifacts } from './tinyArtifacts.js';

function randomFaces(count: number, seed: number): tf.Tensor4D {
  const next = sequence(seed);
  return tf.tensor4d(
    Array.from({ length: count * 48 * 48 }, () => Math.round(127.5 + 127.5 * next())),
    [count, 48, 48, 1],
  );
}

describe('ExpressionClassifier', () => {
  it('computes SVM scores as standardized features . weights + bias, and calibrated probabilities', async () => {
    const artifacts = await tinyArtifacts();
    const loaded = await loadArtifacts(artifacts.reader);
    const faces = randomFaces(3, 11);
    const input = normalizeGray(faces, loaded.manifest.input) as tf.Tensor4D;
    // Features computed through a second route: a plain sub-model up to the feature layer.
    const intermediate = tf.model({ inputs: loaded.cnn.inputs, outputs: loaded.cnn.getLayer(FEATURE_LAYER).output });
    const features = (intermediate.predict(input) as tf.Tensor).arraySync() as number[][];
    expect(features[0]!.length).toBe(loaded.manifest.cnn.featureDims);
    const { svm } = artifacts;
    const expectedScores = features.map((row) =>
      svm.weights.map((w, k) => w.reduce((sum, wd, d) => sum + (wd * (row[d]! - svm.featureMean[d]!)) / svm.featureStd[d]!, svm.bias[k]!)),
    );

    const classifier = ExpressionClassifier.fromArtifacts(loaded);
    const predictions = await classifier.classify(faces);
    expect(predictions).toHaveLength(3);
    predictions.forEach((p, i) => {
      Array.from(p.svmScores).forEach((s, k) => expect(s).toBeCloseTo(expectedScores[i]![k]!, 3));
      const total = Array.from(p.probabilities).reduce((a, b) => a + b, 0);
      expect(total).toBeCloseTo(1, 5);
      const T = loaded.manifest.calibration.temperature;
      const exps = Array.from(p.svmScores, (s) => Math.exp(s / T));
      const z = exps.reduce((a, b) => a + b, 0);
      Array.from(p.probabilities).forEach((q, k) => expect(q).toBeCloseTo(exps[k]! / z, 5));
      expect(p.expression).toBe(EXPRESSIONS[Array.from(p.svmScores).indexOf(Math.max(...p.svmScores))]);
      expect(p.confidence).toBe(Math.max(...p.probabilities));
    });
    classifier.dispose();
  });

  it('with mirrorAverage, scores a face as the mean of it and its mirror image, so mirrored faces score alike', async () => {
    const artifacts = await tinyArtifacts();
    const plain = ExpressionClassifier.fromArtifacts(await loadArtifacts(artifacts.reader));
    const loaded = await loadArtifacts(artifacts.reader);
    const mirrored = ExpressionClassifier.fromArtifacts({
      ...loaded,
      manifest: { ...loaded.manifest, cnn: { ...loaded.manifest.cnn, mirrorAverage: true } },
    });
    const faces = randomFaces(2, 5);
    const flipped = tf.reverse<tf.Tensor4D>(faces, 2);
    const [a, b, c, d] = await Promise.all([plain.classify(faces), plain.classify(flipped), mirrored.classify(faces), mirrored.classify(flipped)]);
    c.forEach((p, i) => {
      Array.from(p.svmScores).forEach((s, k) => expect(s).toBeCloseTo((a[i]!.svmScores[k]! + b[i]!.svmScores[k]!) / 2, 4));
      Array.from(p.svmScores).forEach((s, k) => expect(s).toBeCloseTo(d[i]!.svmScores[k]!, 4));
    });
    // Without mirroring, a face and its mirror image do score differently (the test has teeth).
    expect(Math.max(...Array.from(a[0]!.svmScores, (s, k) => Math.abs(s - b[0]!.svmScores[k]!)))).toBeGreaterThan(1e-3);
    tf.dispose([faces, flipped]);
    plain.dispose();
    mirrored.dispose();
  });

  it('gives the same scores after an export/load round trip as the in-memory model', async () => {
    const artifacts = await tinyArtifacts();
    const first = await ExpressionClassifier.create(artifacts.reader);
    const second = await ExpressionClassifier.create(artifacts.reader);
    const faces = randomFaces(4, 5);
    const a = (await first.classify(faces)).map((p) => Array.from(p.svmScores));
    const b = (await second.classify(faces)).map((p) => Array.from(p.svmScores));
    expect(b).toEqual(a);
    first.dispose();
    second.dispose();
  });

  it('explains a decision with a saliency map in [0,1] over the face', async () => {
    const classifier = await ExpressionClassifier.create((await tinyArtifacts()).reader);
    const map = saliencyMap(classifier, randomFaces(1, 3));
    expect(map.shape).toEqual([48, 48]);
    const values = map.dataSync();
    expect(Math.min(...values)).toBeCloseTo(0, 5);
    expect(Math.max(...values)).toBeCloseTo(1, 5);
    expect(() => saliencyMap(classifier, randomFaces(2, 3))).toThrow(/one face/);
    classifier.dispose();
  });

  it('leaves filter gradients (training) working after a saliency map, which skips them', async () => {
    const classifier = await ExpressionClassifier.create((await tinyArtifacts()).reader);
    const kernel = tf.getKernel(tf.Conv2DBackpropFilter, tf.getBackend());
    saliencyMap(classifier, randomFaces(1, 5)).dispose();
    expect(tf.getKernel(tf.Conv2DBackpropFilter, tf.getBackend())).toBe(kernel);
    const x = tf.ones<tf.Rank.R4>([1, 4, 4, 1]);
    const filterGradient = tf.grad((filter: tf.Tensor) => tf.conv2d(x, filter as tf.Tensor4D, 1, 'same').sum())(tf.ones([3, 3, 1, 1]));
    // How many of a 4x4 image's pixels each tap of a 3x3 'same' conv meets: 16 in the centre, fewer at the edges.
    expect(Array.from(filterGradient.dataSync())).toEqual([9, 12, 9, 12, 16, 12, 9, 12, 9]);
    classifier.dispose();
  });
});

describe('labels', () => {
  it('maps fer2013.csv emotion codes, whose order differs from the folder names', () => {
    expect([0, 1, 2, 3, 4, 5, 6].map((c) => EXPRESSIONS[expressionIndexFromCsvCode(c)!])).toEqual([
      'angry',
      'disgust',
      'fear',
      'happy',
      'sad',
      'surprise',
      'neutral',
    ]);
    expect(expressionIndexFromCsvCode(7)).toBeUndefined();
  });
});
