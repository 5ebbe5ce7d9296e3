import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NUM_EXPRESSIONS, applyFeatureNetwork, faceViews, featureNetwork, pixelsToInput } from '@fer/core';
import { selectTrainingBackend } from '../src/backend/selectBackend.js';
import { loadSplit } from '../src/data/dataset.js';
import { inputSpecFor } from '../src/data/inputSpec.js';
import { subsample } from '../src/data/subsample.js';
import { SOFT_TARGETS_JSON, readSoftTargets, targetsFor } from '../src/distillation/softTargets.js';
import { buildCnn } from '../src/model/cnn.js';
import { CheckpointStore } from '../src/training/checkpoint.js';
import { runCli } from './helpers/cli.js';
import { ferDataDir } from './helpers/ferData.js';

const data = ferDataDir();
const work = mkdtempSync(join(tmpdir(), 'fer-teacher-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const cnn = { inputSize: 48, width: 4, blocks: 2, convsPerBlock: 1, embeddingUnits: 8, dropout: 0, l2: 0 };

describe.skipIf(data === undefined)('fer teacher (FER2013 found)', () => {
  const runs = [join(work, 'run-a'), join(work, 'run-b')];
  const out = join(work, 'teacher');
  let members: tf.LayersModel[];

  beforeAll(async () => {
    await selectTrainingBackend({ prefer: 'wasm' });
    members = [buildCnn(cnn), buildCnn(cnn)];
    const [a, b] = runs.map((run) => new CheckpointStore(run));
    // Run a: epochs 12 (too early for the rule) and 60; run b: the same CNN at 60 again (counted once) and another at 124.
    await a!.saveSnapshot(12, members[1]!);
    await a!.saveSnapshot(60, members[0]!);
    await b!.saveSnapshot(60, members[0]!);
    await b!.saveSnapshot(124, members[1]!);
  });

  it('averages the distinct members from the rule over their views, and keys the targets by pixels', async () => {
    const args = [
      'teacher',
      '--data',
      data as string,
      '--runs',
      runs.join(','),
      '--min-epoch',
      '60',
      '--views',
      'none',
      '--limit',
      '70',
      '--threads',
      '2',
      '--out',
      out,
      '--work',
      join(work, 'cache'),
    ];
    // Generous: the first load of Training on a fresh machine decodes 28,709 JPEGs.
    const run = await runCli(args, { limitMs: 420_000 });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/teacher: 2 members/);
    const header = JSON.parse(readFileSync(join(out, SOFT_TARGETS_JSON), 'utf8')) as {
      teacher: { members: { epoch: number }[]; passesPerFace: number };
    };
    expect(header.teacher.members.map((m) => m.epoch)).toEqual([60, 124]);
    expect(header.teacher.passesPerFace).toBe(4);

    const { images } = await loadSplit(data as string, 'train');
    const faces = subsample(images, 70);
    const targets = targetsFor(faces, await readSoftTargets(out));
    // The mean of the two members' probabilities on the face and its mirror image, computed here directly.
    const input = inputSpecFor(faces);
    const views = faceViews(input, true, []);
    const expected = tf.tidy(() => {
      const batch = pixelsToInput(faces.pixels, faces.count, input);
      const [first, second] = members.map((m) => applyFeatureNetwork(featureNetwork(m, 'embedding'), batch, views)[1]);
      return tf.div(tf.add(first!, second!), 2).dataSync();
    });
    for (let i = 0; i < faces.count * NUM_EXPRESSIONS; i++) expect(targets[i]).toBeCloseTo(expected[i] as number, 2);

    // A second run finds every member in the cache and writes the same targets.
    const again = await runCli(args, { limitMs: 120_000 });
    expect(again.code, again.stderr).toBe(0);
    expect(Array.from(targetsFor(faces, await readSoftTargets(out)))).toEqual(Array.from(targets));
  }, 600_000);
});
