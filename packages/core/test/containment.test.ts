/**
 * Artifact paths come from manifest.json and model.json, which anyone can edit: the loader must read
 * nothing outside the artifact folder (issue 26). Every such path is refused with an ArtifactError
 * naming it, before any read or request.
 */
import { describe, expect, it } from 'vitest';
import { ArtifactError, MANIFEST_FILE, artifactPathProblem, fetchReader, loadArtifacts, sha256Hex, type ArtifactReader } from '../src/index.js';
import { readerOf, tinyArtifacts } from './tinyArtifacts.js';

const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

/** A reader that records every path asked for. */
function recording(files: ReadonlyMap<string, Uint8Array>): { reader: ArtifactReader; asked: string[] } {
  const asked: string[] = [];
  const inner = readerOf(files);
  return { asked, reader: (path) => (asked.push(path), inner(path)) };
}

const OUTSIDE = [
  '../svm.json',
  'cnn/../../svm.json',
  '/etc/passwd',
  '\\\\server\\share\\x',
  'C:/Windows/win.ini',
  'https://evil.example/model.json',
  '//evil.example/model.json',
  'data:application/json,{}',
  'cnn/%2e%2e/%2e%2e/secret',
  './svm.json',
  'cnn//model.json',
  'cnn/model.json?x=1',
  '',
];

describe('artifactPathProblem', () => {
  it("accepts the export's own paths", () => {
    for (const path of ['manifest.json', 'cnn/model.json', 'cnn/weights.bin', 'svm.json', 'cnn/group1-shard1of2.bin'])
      expect(artifactPathProblem(path)).toBeUndefined();
  });

  it('refuses absolute paths, URLs, other origins, .. and unnormalized paths', () => {
    for (const path of OUTSIDE) expect(artifactPathProblem(path), path).toBeDefined();
  });
});

describe('loadArtifacts refuses paths outside the folder, naming them', () => {
  it.each(OUTSIDE.filter((path) => path !== ''))('cnn.modelPath, svm.path and files keys: %s', async (path) => {
    const { files, manifest } = await tinyArtifacts();
    const variants = [
      { ...manifest, cnn: { ...manifest.cnn, modelPath: path } },
      { ...manifest, svm: { ...manifest.svm, path } },
      { ...manifest, files: { ...manifest.files, [path]: manifest.files['svm.bin']! } },
    ];
    for (const variant of variants) {
      files.set(MANIFEST_FILE, encode(variant));
      const { reader, asked } = recording(files);
      const error = await loadArtifacts(reader).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ArtifactError);
      expect(error).toMatchObject({ file: MANIFEST_FILE, problem: 'invalid' });
      expect((error as Error).message).toContain(`'${path}' is not a path inside the artifact folder`);
      expect(asked).toEqual([MANIFEST_FILE]);
    }
  });

  it('the weight paths inside model.json (hashes re-signed, as an attacker would)', async () => {
    for (const path of ['../../etc/passwd', '/etc/passwd', 'https://evil.example/w.bin', '../svm.json']) {
      const { files, manifest } = await tinyArtifacts();
      const model = JSON.parse(new TextDecoder().decode(files.get('cnn/model.json'))) as { weightsManifest: { paths: string[] }[] };
      model.weightsManifest[0]!.paths = [path];
      const bytes = encode(model);
      files.set('cnn/model.json', bytes);
      files.set(
        MANIFEST_FILE,
        encode({ ...manifest, files: { ...manifest.files, 'cnn/model.json': { sha256: await sha256Hex(bytes), bytes: bytes.byteLength } } }),
      );
      const { reader, asked } = recording(files);
      const error = await loadArtifacts(reader).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ArtifactError);
      expect(error).toMatchObject({ file: 'cnn/model.json', problem: 'invalid' });
      expect((error as Error).message).toContain(`weights path '${path}'`);
      expect(asked).toEqual([MANIFEST_FILE, 'cnn/model.json']);
    }
  });
});

/** The address a fetch was asked for, whichever form it came in. */
const urlOf = (input: string | URL | Request): string => (input instanceof Request ? input.url : input.toString());

describe('fetchReader stays inside its folder of its origin', () => {
  const base = 'https://app.example/fer/models/';
  function fakeFetch(): { fetchFn: typeof fetch; urls: string[] } {
    const urls: string[] = [];
    const fetchFn = ((input: string | URL | Request) => {
      urls.push(urlOf(input));
      return Promise.resolve(new Response(new Uint8Array([1, 2, 3])));
    }) as typeof fetch;
    return { fetchFn, urls };
  }

  it('requests paths inside the folder', async () => {
    const { fetchFn, urls } = fakeFetch();
    await fetchReader(base, fetchFn)('cnn/model.json');
    expect(urls).toEqual(['https://app.example/fer/models/cnn/model.json']);
  });

  it('refuses the rest before any request, naming the path', async () => {
    for (const path of OUTSIDE) {
      const { fetchFn, urls } = fakeFetch();
      const error = await fetchReader(base, fetchFn)(path).catch((e: unknown) => e);
      expect(error, path).toBeInstanceOf(ArtifactError);
      expect((error as ArtifactError).file).toBe(path);
      expect(urls).toEqual([]);
    }
  });

  it('through loadArtifacts: an absolute URL in the manifest is never fetched', async () => {
    const { files, manifest } = await tinyArtifacts();
    files.set(MANIFEST_FILE, encode({ ...manifest, svm: { ...manifest.svm, path: 'https://evil.example/svm.json' } }));
    const urls: string[] = [];
    const fetchFn = ((input: string | URL | Request) => {
      urls.push(urlOf(input));
      const path = new URL(urlOf(input)).pathname.replace('/fer/models/', '');
      const body = files.get(path);
      return Promise.resolve(body === undefined ? new Response(null, { status: 404 }) : new Response(body.slice()));
    }) as typeof fetch;
    const error = await loadArtifacts(fetchReader(base, fetchFn)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ArtifactError);
    expect((error as Error).message).toMatch(/svm\.path 'https:\/\/evil\.example\/svm\.json' is not a path inside the artifact folder: it is a URL/);
    expect(urls.every((url) => url.startsWith(base))).toBe(true);
  });
});
