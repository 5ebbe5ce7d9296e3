/**
 * Property test of the artifact loader (issue 26): random truncations, byte flips, inserted bytes and
 * garbage in any artifact file never crash it (every failure is an ArtifactError naming a file),
 * never hang, and never pass silently: a damaged hashed file is always refused, naming that file.
 * Only manifest.json itself is not hashed; damage there either is refused or leaves a manifest that
 * still validates (and the files it lists still match their hashes).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ArtifactError, MANIFEST_FILE, loadArtifacts, sha256Hex, type ArtifactReader, type LoadedArtifacts } from '../src/index.js';
import { applyDamage, damage } from './damage.js';
import { readerOf, tinyArtifacts } from './tinyArtifacts.js';

const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((v, i) => v === b[i]);

describe('loadArtifacts under random damage', () => {
  it('never crashes, hangs or passes a damaged hashed file', async () => {
    const { files } = await tinyArtifacts();
    const names = [...files.keys()];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...names), damage, async (name, d) => {
        const original = files.get(name)!;
        const damaged = applyDamage(original, d);
        const copy = new Map(files);
        copy.set(name, damaged);
        let timer: NodeJS.Timeout | undefined;
        const hang = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('HANG')), 10_000)));
        const outcome = await Promise.race([loadArtifacts(readerOf(copy)), hang]).then(
          (loaded: LoadedArtifacts) => ({ loaded }),
          (error: unknown) => ({ error }),
        );
        clearTimeout(timer);
        if ('loaded' in outcome) {
          outcome.loaded.cnn.dispose();
          // Only a change that leaves the bytes equal, or a manifest that still validates, may load.
          expect(same(damaged, original) || name === MANIFEST_FILE, `${name} damaged (${d.kind}) but loaded`).toBe(true);
          return;
        }
        const { error } = outcome;
        expect(error, String(error)).toBeInstanceOf(ArtifactError);
        const { file } = error as ArtifactError;
        expect((error as Error).message).toContain(file);
        // A damaged hashed file is named itself; manifest damage may surface as any file it now points to.
        if (name !== MANIFEST_FILE) expect(file).toBe(name);
      }),
      { numRuns: 200, seed: 26 },
    );
  }, 120_000);

  it('never asks its reader for a path outside the folder, whatever paths the manifest and model.json hold', async () => {
    const { files, manifest } = await tinyArtifacts();
    const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
    // Paths built from the pieces that escape a folder, and plain names.
    const piece = fc.constantFrom(
      '..',
      '.',
      '',
      'cnn',
      'svm.json',
      'model.json',
      'weights.bin',
      'http:',
      'https://evil.example',
      '%2e%2e',
      'C:',
      '\\',
      '~',
    );
    const path = fc.array(piece, { minLength: 1, maxLength: 5 }).map((parts) => parts.join('/'));
    const where = fc.constantFrom('modelPath', 'svmPath', 'filesKey', 'weightsPath');
    await fc.assert(
      fc.asyncProperty(where, path, async (field, bad) => {
        const copy = new Map(files);
        let edited: typeof manifest = manifest;
        if (field === 'modelPath')
          edited = { ...manifest, cnn: { ...manifest.cnn, modelPath: bad }, files: { ...manifest.files, [bad]: manifest.files['cnn/model.json']! } };
        if (field === 'svmPath')
          edited = { ...manifest, svm: { ...manifest.svm, path: bad }, files: { ...manifest.files, [bad]: manifest.files[manifest.svm.path]! } };
        if (field === 'filesKey') edited = { ...manifest, files: { ...manifest.files, [bad]: manifest.files['cnn/weights.bin']! } };
        if (field === 'weightsPath') {
          const model = JSON.parse(new TextDecoder().decode(files.get('cnn/model.json'))) as { weightsManifest: { paths: string[] }[] };
          model.weightsManifest[0]!.paths = [bad];
          const bytes = encode(model);
          copy.set('cnn/model.json', bytes);
          edited = { ...manifest, files: { ...manifest.files, 'cnn/model.json': { sha256: await sha256Hex(bytes), bytes: bytes.byteLength } } };
        }
        copy.set(MANIFEST_FILE, encode(edited));
        const asked: string[] = [];
        const reader: ArtifactReader = (p) => {
          asked.push(p);
          const bytes = copy.get(p);
          return bytes === undefined ? Promise.reject(new Error('not found')) : Promise.resolve(bytes);
        };
        const outcome = await loadArtifacts(reader).then(
          (loaded) => loaded.cnn.dispose(),
          (error: unknown) => expect(error).toBeInstanceOf(ArtifactError),
        );
        void outcome;
        for (const p of asked) {
          // Inside the folder: relative, no scheme, and no '..' or '.' or empty segment.
          expect(p, `asked for ${p}`).toMatch(/^(?![A-Za-z][A-Za-z0-9+.-]*:)[^/\\]/);
          expect(
            p.split('/').some((segment) => segment === '..' || segment === '.' || segment === '' || segment.includes('%')),
            `asked for ${p}`,
          ).toBe(false);
        }
      }),
      { numRuns: 300, seed: 26 },
    );
  }, 60_000);
});
