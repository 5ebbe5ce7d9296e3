import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import {
  ExpressionClassifier,
  loadArtifacts,
  normalizeGray,
  passesPerFace,
  transformImage,
  viewTransform,
  warpImages,
  warpTable,
  type TestTimeView,
} from '../src/index.js';
import { addUnwarpedGradient, IDENTITY_TRANSFORM } from '../src/views.js';
import { sequence, tinyArtifacts } from './tinyArtifacts.js';

const side = 48;
const area = side * side;
const turnAndZoom = { flip: false, dx: 1.5, dy: -2, angle: 0.3, zoom: 1.1 };
const VIEWS: TestTimeView[] = [
  { dx: 0, dy: 0, degrees: 0, zoom: 0.92 },
  { dx: 2, dy: -1, degrees: 6, zoom: 1 },
];

function randomPixels(count: number, seed: number): Uint8Array {
  const next = sequence(seed);
  return Uint8Array.from({ length: count * area }, () => Math.round(127.5 + 127.5 * next()));
}

async function classifierWith(views: TestTimeView[], mirrorAverage: boolean): Promise<ExpressionClassifier> {
  const loaded = await loadArtifacts((await tinyArtifacts()).reader);
  return ExpressionClassifier.fromArtifacts({
    ...loaded,
    manifest: { ...loaded.manifest, cnn: { ...loaded.manifest.cnn, mirrorAverage, testTimeViews: views } },
  });
}

describe('warps', () => {
  it('the tensor warp matches the training augmentation pixel for pixel, and the identity changes nothing', () => {
    const pixels = randomPixels(2, 3);
    const images = tf.tensor4d(Float32Array.from(pixels), [2, side, side, 1]);
    const expected = new Float32Array(2 * area);
    for (let i = 0; i < 2; i++) transformImage(pixels, i * area, side, turnAndZoom, expected, i * area);
    const warped = warpImages(images, warpTable(side, turnAndZoom)).dataSync();
    expect(Math.max(...warped.map((v, i) => Math.abs(v - (expected[i] as number))))).toBeLessThan(1e-3);
    // The warp really moves pixels (the test has teeth), and the identity does not.
    expect(Math.max(...warped.map((v, i) => Math.abs(v - (pixels[i] as number))))).toBeGreaterThan(10);
    expect(Array.from(warpImages(images, warpTable(side, IDENTITY_TRANSFORM)).dataSync())).toEqual(Array.from(pixels));
    images.dispose();
  });

  it('carries gradients back through the transpose of the warp: <W x, g> = <x, Wt g>', () => {
    const table = warpTable(side, turnAndZoom);
    const x = Float32Array.from(randomPixels(1, 4), (v) => v / 255);
    const g = Float32Array.from(randomPixels(1, 5), (v) => v / 255 - 0.5);
    const wx = warpImages(tf.tensor4d(x, [1, side, side, 1]), table).dataSync();
    const wtg = new Float32Array(area);
    addUnwarpedGradient(g, table, wtg);
    const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((sum, v, i) => sum + v * (b[i] as number), 0);
    expect(dot(wx, g)).toBeCloseTo(dot(x, wtg), 2);
  });

  it('reads degrees from the manifest', () => {
    expect(viewTransform({ dx: 1, dy: 2, degrees: 180, zoom: 2 })).toEqual({ flip: false, dx: 1, dy: 2, angle: Math.PI, zoom: 2 });
  });
});

describe('ExpressionClassifier with test-time views', () => {
  it("scores a face as the mean over it and its views' warps, each with its mirror image", async () => {
    const faceOnly = await classifierWith([], true);
    const withViews = await classifierWith(VIEWS, true);
    expect(passesPerFace(faceOnly.views)).toBe(2);
    expect(passesPerFace(withViews.views)).toBe(6);
    const faces = tf.tensor4d(Float32Array.from(randomPixels(3, 6)), [3, side, side, 1]);
    const input = normalizeGray(faces, withViews.manifest.input) as tf.Tensor4D;
    const stacked = [input, ...VIEWS.map((view) => warpImages(input, warpTable(side, viewTransform(view))))].map((v) =>
      faceOnly.svmScores(v).arraySync(),
    );
    const expected = stacked[0]!.map((row, i) => row.map((_, k) => stacked.reduce((sum, scores) => sum + scores[i]![k]!, 0) / stacked.length));
    const actual = withViews.svmScores(input).arraySync();
    actual.forEach((row, i) => row.forEach((s, k) => expect(s).toBeCloseTo(expected[i]![k]!, 4)));
    // The views change the scores (the test has teeth).
    expect(Math.max(...actual[0]!.map((s, k) => Math.abs(s - stacked[0]![0]![k]!)))).toBeGreaterThan(1e-3);
    tf.dispose([faces, input]);
    faceOnly.dispose();
    withViews.dispose();
  });

  it('inputGradient equals autodiff through the warps (on the cpu backend, where gather has a gradient)', async () => {
    const classifier = await classifierWith(VIEWS, true);
    const input = normalizeGray(tf.tensor4d(Float32Array.from(randomPixels(1, 8)), [1, side, side, 1]), classifier.manifest.input) as tf.Tensor4D;
    const expected = tf
      .grad((x: tf.Tensor) =>
        classifier
          .svmScores(x as tf.Tensor4D)
          .slice([0, 2], [1, 1])
          .sum(),
      )(input)
      .dataSync();
    const actual = classifier.inputGradient(input, 2).dataSync();
    const scale = Math.max(...expected.map(Math.abs));
    expect(scale).toBeGreaterThan(0);
    expect(Math.max(...actual.map((v, i) => Math.abs(v - (expected[i] as number))))).toBeLessThan(1e-4 * scale);
    expect(() => classifier.inputGradient(tf.concat<tf.Tensor4D>([input, input]), 0)).toThrow(/one face/);
    classifier.dispose();
    // Autodiff through every view on the reference backend is slow; this only bounds a hang.
  }, 120_000);
});
