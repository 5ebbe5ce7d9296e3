import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPRESSIONS, NUM_EXPRESSIONS, type InputSpec } from '@fer/core';
import { selectTrainingBackend } from '../src/backend/selectBackend.js';
import type { LabeledImages } from '../src/data/dataset.js';
import { pixelHashes } from '../src/data/pixelHash.js';
import { selectImages } from '../src/data/subsample.js';
import { carveValidation, repeatsOf } from '../src/data/validationSplit.js';
import {
  SOFT_TARGETS_BIN,
  readSoftTargets,
  softTargetsFrom,
  targetsFor,
  writeSoftTargets,
  type TeacherProvenance,
} from '../src/distillation/softTargets.js';
import { PLAIN_LOSS, shareGradients } from '../src/training/gradients.js';
import { buildCnn } from '../src/model/cnn.js';

/** `count` distinct random faces, labels cycling through the classes. */
function randomFaces(count: number, seed: number): LabeledImages {
  let state = seed;
  const next = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) >>> 24;
  return {
    split: 'train',
    size: 48,
    count,
    pixels: Uint8Array.from({ length: count * 48 * 48 }, next),
    labels: Uint8Array.from({ length: count }, (_, i) => i % NUM_EXPRESSIONS),
    sources: Array.from({ length: count }, (_, i) => `face-${seed}-${i}`),
  };
}

function concat(a: LabeledImages, b: LabeledImages): LabeledImages {
  return {
    ...a,
    count: a.count + b.count,
    pixels: Uint8Array.from([...a.pixels, ...b.pixels]),
    labels: Uint8Array.from([...a.labels, ...b.labels]),
    sources: [...a.sources, ...b.sources],
  };
}

const provenance: TeacherProvenance = {
  rule: 'test',
  members: [{ path: 'runs/x/snapshots/epoch-060', epoch: 60, weightsSha256: 'a'.repeat(64) }],
  views: 'the face',
  passesPerFace: 1,
  command: 'test',
  commit: 'test',
  createdAt: '2026-01-01T00:00:00.000Z',
  backend: 'test',
  trainingFingerprint: 'test',
};

describe('carveValidation', () => {
  const train = randomFaces(700, 1);
  const test = randomFaces(50, 2);
  // Faces 0..9 of Training reappear in the test split, faces 10..19 twice in Training.
  const withRepeats = concat(
    concat(
      train,
      selectImages(
        train,
        Array.from({ length: 10 }, (_, i) => 10 + i),
      ),
    ),
    randomFaces(0, 3),
  );
  const testWithRepeats = concat(
    test,
    selectImages(
      train,
      Array.from({ length: 10 }, (_, i) => i),
    ),
  );

  it('holds out a stratified share of the faces that occur once in Training and nowhere else', () => {
    const { fit, validation } = carveValidation(withRepeats, [testWithRepeats], { fraction: 0.1, seed: 7 });
    expect(fit.count + validation.count).toBe(withRepeats.count);
    for (let label = 0; label < NUM_EXPRESSIONS; label++) {
      const total = withRepeats.labels.filter((l) => l === label).length;
      expect(validation.labels.filter((l) => l === label).length).toBe(Math.round(0.1 * total));
    }
    const excluded = new Set(
      pixelHashes(
        selectImages(
          train,
          Array.from({ length: 20 }, (_, i) => i),
        ),
      ),
    );
    expect(pixelHashes(validation).some((hash) => excluded.has(hash))).toBe(false);
    const fitHashes = new Set(pixelHashes(fit));
    expect(pixelHashes(validation).some((hash) => fitHashes.has(hash))).toBe(false);
  });

  it('depends on the pixels and the seed, not on the order faces were loaded in', () => {
    const reversed = selectImages(
      withRepeats,
      Array.from({ length: withRepeats.count }, (_, i) => withRepeats.count - 1 - i),
    );
    const a = carveValidation(withRepeats, [testWithRepeats], { fraction: 0.1, seed: 7 });
    const b = carveValidation(reversed, [testWithRepeats], { fraction: 0.1, seed: 7 });
    const c = carveValidation(withRepeats, [testWithRepeats], { fraction: 0.1, seed: 8 });
    expect(new Set(pixelHashes(b.validation))).toEqual(new Set(pixelHashes(a.validation)));
    expect(new Set(pixelHashes(c.validation))).not.toEqual(new Set(pixelHashes(a.validation)));
  });

  it('finds the test faces repeated from Training', () => {
    expect([...repeatsOf(testWithRepeats, train)]).toEqual(Array.from({ length: 10 }, (_, i) => 50 + i));
  });
});

describe('soft targets', () => {
  let folder: string;
  const faces = randomFaces(30, 4);
  const probabilities = Float32Array.from({ length: 30 * NUM_EXPRESSIONS }, (_, i) => ((i * 37) % 11) / 10);

  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), 'fer-soft-'));
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('round-trip through their files in float16, found by pixels whatever the order', async () => {
    await writeSoftTargets(folder, softTargetsFrom(pixelHashes(faces), probabilities, provenance));
    const read = await readSoftTargets(folder);
    expect(read.teacher).toEqual(provenance);
    const shuffled = selectImages(faces, [5, 0, 29]);
    const rows = targetsFor(shuffled, read);
    [5, 0, 29].forEach((face, i) => {
      for (let k = 0; k < NUM_EXPRESSIONS; k++)
        expect(rows[i * NUM_EXPRESSIONS + k]).toBeCloseTo(probabilities[face * NUM_EXPRESSIONS + k] as number, 3);
    });
  });

  it('name the faces that have none', async () => {
    const read = await readSoftTargets(folder);
    expect(() => targetsFor(concat(faces, randomFaces(2, 5)), read)).toThrow(/2 of 32 Training faces have none \(e\.g\. face-5-0, face-5-1\)/);
  });

  it('refuse a tampered binary file, naming it', async () => {
    const bin = join(folder, SOFT_TARGETS_BIN);
    const bytes = readFileSync(bin);
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 0xff;
    writeFileSync(bin, bytes);
    await expect(readSoftTargets(folder)).rejects.toThrow(/soft-targets\.bin does not match the SHA-256/);
  });
});

describe('distillation loss', () => {
  const input: InputSpec = { height: 48, width: 48, channels: 1, mean: 0.5, std: 0.25, cropMargin: 0.15 };
  const cnn = { inputSize: 48, width: 4, blocks: 2, convsPerBlock: 1, embeddingUnits: 8, dropout: 0, l2: 0 };
  const faces = randomFaces(6, 6);
  const share = { pixels: Float32Array.from(faces.pixels), labels: faces.labels };
  /** The network's probabilities as training sees them (batch statistics in batch norm). */
  const trainingProbabilities = (model: tf.LayersModel): number[][] =>
    tf.tidy(() =>
      (
        model.apply(
          tf.tensor4d(
            Array.from(share.pixels, (v) => (v / 255 - 0.5) / 0.25),
            [6, 48, 48, 1],
          ),
          { training: true },
        ) as tf.Tensor2D
      ).arraySync(),
    );

  beforeAll(async () => {
    await selectTrainingBackend({ prefer: 'wasm' });
  });

  it('is the label cross-entropy when the teacher weighs nothing, and the teacher cross-entropy (x T²) when it weighs all', () => {
    const model = buildCnn(cnn);
    const p = trainingProbabilities(model);
    const teacher = Float32Array.from({ length: 6 * NUM_EXPRESSIONS }, (_, i) => (i % NUM_EXPRESSIONS === 3 ? 0.4 : 0.1));
    const labelOnly = shareGradients(model, { ...share, teacher }, input, { labelSmoothing: 0, distillation: { weight: 0, temperature: 2 } });
    const plain = shareGradients(model, share, input, PLAIN_LOSS);
    const expectedLabel = -p.reduce((sum, row, i) => sum + Math.log(row[faces.labels[i] as number] as number), 0) / 6;
    expect(labelOnly.loss).toBeCloseTo(expectedLabel, 4);
    expect(plain.loss).toBeCloseTo(expectedLabel, 4);

    const t = 2;
    const soften = (row: number[]) => {
      const powered = row.map((v) => v ** (1 / t));
      const total = powered.reduce((a, b) => a + b, 0);
      return powered.map((v) => v / total);
    };
    const teacherRow = soften(Array.from(teacher.subarray(0, NUM_EXPRESSIONS)));
    const expectedTeacher =
      (t * t * -p.reduce((sum, row) => sum + soften(row).reduce((s, q, k) => s + (teacherRow[k] as number) * Math.log(q), 0), 0)) / 6;
    const teacherOnly = shareGradients(model, { ...share, teacher }, input, { labelSmoothing: 0, distillation: { weight: 1, temperature: t } });
    expect(teacherOnly.loss).toBeCloseTo(expectedTeacher, 4);
    model.dispose();
  });

  it('smooths labels by spreading the given share of their mass over every class', () => {
    const model = buildCnn(cnn);
    const p = trainingProbabilities(model);
    const smoothed = shareGradients(model, share, input, { labelSmoothing: 0.1 });
    const expected =
      -p.reduce((sum, row, i) => sum + row.reduce((s, q, k) => s + ((k === faces.labels[i] ? 0.9 : 0) + 0.1 / NUM_EXPRESSIONS) * Math.log(q), 0), 0) /
      6;
    expect(smoothed.loss).toBeCloseTo(expected, 4);
    model.dispose();
  });

  it('refuses to distil without the teacher', () => {
    const model = buildCnn(cnn);
    expect(() => shareGradients(model, share, input, { labelSmoothing: 0, distillation: { weight: 0.5, temperature: 2 } })).toThrow(
      /teacher's probabilities/,
    );
    model.dispose();
  });
});

// The labels of the tests above follow EXPRESSIONS' order.
expect(EXPRESSIONS.length).toBe(NUM_EXPRESSIONS);
