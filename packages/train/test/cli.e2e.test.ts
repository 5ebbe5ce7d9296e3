import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ManifestSchema } from '@fer/core';
import { ferDataDir } from './helpers/ferData.js';

const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
const data = ferDataDir();
const work = mkdtempSync(join(tmpdir(), 'fer-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Run {
  code: number | null;
  /** The signal that ended the CLI, if one did. */
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI as a user would; `onStderr` may return true to send Ctrl-C (SIGINT). */
function fer(args: string[], onStderr?: (text: string) => boolean): Promise<Run> {
  return new Promise((resolve, reject) => {
    // As the root package.json runs it; the tsx CLI wrapper would not pass Ctrl-C on to the handler.
    const child = spawn(process.execPath, ['--import', 'tsx', cli, ...args], { env: { ...process.env, FORCE_COLOR: '0' } });
    let stdout = '';
    let stderr = '';
    let interrupted = false;
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (!interrupted && onStderr?.(stderr)) {
        interrupted = true;
        child.kill('SIGINT');
      }
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

describe('fer CLI', () => {
  // Scratch folders, so these runs never lock or check the repository's runs/default and models/.
  const scratch = ['--run', join(work, 'scratch-run'), '--out', join(work, 'scratch-models')];

  it('explains a missing data path', async () => {
    const run = await fer(['train', '--data', join(work, 'nowhere'), ...scratch, '--limit', '64', '--epochs', '1']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/FER2013 data not found at .*nowhere/);
  });

  it('rejects a bad flag value with help', async () => {
    const run = await fer(['train', '--epochs', 'many']);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/--epochs.*positive integer/);
  });

  it('names an unknown feature layer, and an ensemble or CNN epoch the schedule cannot give, before loading data', async () => {
    const nowhere = join(work, 'nowhere');
    const layers = await fer(['train', '--data', nowhere, ...scratch, '--feature-layers', 'block_last_pool,blok3_pool']);
    expect(layers.code).toBe(1);
    expect(layers.stderr).toMatch(/this CNN has no layer 'blok3_pool'; its layers: .*block3_pool/);
    const ensemble = await fer(['train', '--data', nowhere, ...scratch, '--epochs', '12', '--ensemble', '3']);
    expect(ensemble.code).toBe(1);
    // The default preset decays its rate once, so it ends no earlier cycle whose CNN could be fused.
    expect(ensemble.stderr).toMatch(/--ensemble 3 fuses the CNNs of 3 learning-rate cycles, but 12 epochs complete none/);
    const cnnEpoch = await fer(['train', '--data', nowhere, ...scratch, '--epochs', '12', '--cnn-epoch', '28']);
    expect(cnnEpoch.code).toBe(1);
    expect(cnnEpoch.stderr).toMatch(/--cnn-epoch 28: the run trains only 12 epochs/);
  });

  describe.skipIf(data === undefined)('on a real FER2013 subset', () => {
    const models = join(work, 'models');
    const runFolder = join(work, 'run');
    const common = ['--data', data ?? '', '--limit', '448', '--preset', 'quick'];

    it('trains, survives Ctrl-C, resumes, exports verified artifacts and a report', async () => {
      const interrupted = await fer(['train', ...common, '--epochs', '2', '--run', runFolder, '--out', models], (text) => text.includes('epoch 2/2'));
      expect(interrupted.stderr).toMatch(/stopping after this batch/);
      expect(interrupted.code).toBe(130);
      expect(existsSync(join(runFolder, 'last', 'state.json'))).toBe(true);
      expect(existsSync(models)).toBe(false);

      // Exported with test-time views, which eval must then reproduce through @fer/core.
      const resumed = await fer([
        'train',
        ...common,
        '--epochs',
        '2',
        '--run',
        runFolder,
        '--out',
        models,
        '--resume',
        '--test-time-views',
        'zoom-turn',
        // The quick preset skips the raw-pixel baseline (minutes on 2 cores); asked for, it is fitted and reported.
        '--pixel-svm-c',
        '0.001',
      ]);
      expect(resumed.stderr).toMatch(/backend: wasm/);
      expect(resumed.code).toBe(0);
      const manifest = ManifestSchema.parse(JSON.parse(readFileSync(join(models, 'manifest.json'), 'utf8')));
      expect(manifest.training.epochs).toBe(2);
      expect(manifest.cnn.weightPrecision).toBe('float16');
      expect(manifest.files['cnn/weights.bin']?.bytes).toBe(2 * manifest.cnn.parameters);
      // PublicTest, and PublicTest without the faces repeated from Training.
      expect(Object.keys(manifest.metrics).sort()).toEqual(['cnnSoftmax', 'cnnSoftmaxWithoutRepeats', 'cnnSvm', 'cnnSvmWithoutRepeats', 'pixelSvm']);
      const report = readFileSync(join(models, 'REPORT.md'), 'utf8');
      expect(report).toContain('linear SVM on raw pixels');
      expect(report).toContain('CNN softmax head');
      expect(report).toContain('CNN features + linear SVM');
      // The per-face cost counts every CNN pass the shipped classifier makes: the face and its 4 views, each mirrored.
      expect(manifest.cnn.mirrorAverage).toBe(true);
      expect(manifest.cnn.testTimeViews).toHaveLength(4);
      expect(manifest.training.cnnPassesPerFace).toBe(10);
      expect(report).toContain('10 passes per face');
      expect(readFileSync(join(models, 'confusion-cnn-svm.svg'), 'utf8')).toMatch(/^<svg/);
      expect(resumed.stdout).toMatch(/CNN features \+ linear SVM \(exported\) \| PublicTest \| 448 \|/);
    }, 300_000);

    it('quits at once on Ctrl-C after training, leaving the exported artifacts as they were', async () => {
      const manifestPath = join(models, 'manifest.json');
      const before = readFileSync(manifestPath, 'utf8');
      // --resume with the epochs already trained goes straight to feature extraction and the SVM.
      const run = await fer(['train', ...common, '--epochs', '2', '--run', runFolder, '--out', models, '--resume'], (text) =>
        text.includes('extracting'),
      );
      expect(run.signal).toBe('SIGINT');
      expect(run.stdout).not.toContain('exported to');
      expect(readFileSync(manifestPath, 'utf8')).toBe(before);
    }, 120_000);

    it('eval reproduces the exported PublicTest figures through @fer/core', async () => {
      const json = join(work, 'eval.json');
      const run = await fer(['eval', '--data', data ?? '', '--limit', '448', '--models', models, '--json', json]);
      expect(run.code).toBe(0);
      const manifest = ManifestSchema.parse(JSON.parse(readFileSync(join(models, 'manifest.json'), 'utf8')));
      const evaluated = JSON.parse(readFileSync(json, 'utf8')) as { metrics: typeof manifest.metrics };
      expect(evaluated.metrics.cnnSvm).toEqual(manifest.metrics.cnnSvm);
      expect(evaluated.metrics.cnnSoftmax).toEqual(manifest.metrics.cnnSoftmax);
    }, 120_000);

    it('eval refuses tampered artifacts, naming the file', async () => {
      const weightsPath = join(models, 'cnn', 'weights.bin');
      const weights = readFileSync(weightsPath);
      weights[100] = (weights[100] ?? 0) ^ 0xff;
      writeFileSync(weightsPath, weights);
      const run = await fer(['eval', '--data', data ?? '', '--limit', '64', '--models', models]);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/cnn\/weights\.bin: tampered artifact/);
    }, 60_000);
  });
});
