import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ArtifactError } from '@fer/core';
import { folderReader } from '../src/export/nodeReader.js';

const root = mkdtempSync(join(tmpdir(), 'fer-reader-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('folderReader reads nothing outside its folder (issue 26)', () => {
  const models = join(root, 'models');
  mkdirSync(join(models, 'cnn'), { recursive: true });
  writeFileSync(join(models, 'cnn', 'model.json'), '{}');
  writeFileSync(join(root, 'secret.txt'), 'secret');
  symlinkSync(join(root, 'secret.txt'), join(models, 'cnn', 'weights.bin'));

  it('reads a file inside', async () => {
    expect(new TextDecoder().decode(await folderReader(models)('cnn/model.json'))).toBe('{}');
  });

  it.each(['../secret.txt', 'cnn/../../secret.txt', join(root, 'secret.txt'), 'file:///etc/passwd', '/etc/passwd'])(
    'refuses %s, naming it',
    async (path) => {
      const error = await folderReader(models)(path).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ArtifactError);
      expect((error as ArtifactError).file).toBe(path);
    },
  );

  it('refuses a symbolic link that leads outside', async () => {
    const error = await folderReader(models)('cnn/weights.bin').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ArtifactError);
    expect((error as Error).message).toMatch(/cnn\/weights\.bin: invalid artifact: is a link to .*secret\.txt, outside/);
  });
});
