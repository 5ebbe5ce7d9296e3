import { describe, expect, it } from 'vitest';
import { ArtifactError, MANIFEST_FILE, decodeSvm, encodeSvm, loadArtifacts, sha256Hex, type ArtifactProblem } from '../src/index.js';
import { readerOf, tinyArtifacts } from './tinyArtifacts.js';

const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

async function expectProblem(files: Map<string, Uint8Array>, file: string, problem: ArtifactProblem, message?: RegExp) {
  const error = await loadArtifacts(readerOf(files)).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ArtifactError);
  expect(error).toMatchObject({ file, problem });
  if (message) expect((error as Error).message).toMatch(message);
  expect((error as Error).message).toContain(file);
}

describe('loadArtifacts', () => {
  it('loads a verified folder: CNN with its feature layer and the SVM', async () => {
    const { reader, svm } = await tinyArtifacts();
    const loaded = await loadArtifacts(reader);
    expect(loaded.cnn.getLayer(loaded.manifest.cnn.featureLayer)).toBeDefined();
    expect(loaded.svm).toEqual(svm);
    loaded.cnn.dispose();
  });

  it('names a missing file', async () => {
    const { files } = await tinyArtifacts();
    files.delete('cnn/weights.bin');
    await expectProblem(files, 'cnn/weights.bin', 'missing');
  });

  it('detects a truncated weights file by its size', async () => {
    const { files } = await tinyArtifacts();
    const weights = files.get('cnn/weights.bin')!;
    files.set('cnn/weights.bin', weights.slice(0, weights.length - 4));
    await expectProblem(files, 'cnn/weights.bin', 'corrupt', /expected \d+ bytes/);
  });

  it('detects one flipped byte by its hash', async () => {
    const { files } = await tinyArtifacts();
    const weights = files.get('cnn/weights.bin')!.slice();
    weights[10] = weights[10]! ^ 0xff;
    files.set('cnn/weights.bin', weights);
    await expectProblem(files, 'cnn/weights.bin', 'tampered', /SHA-256/);
  });

  it('detects an edited SVM of unchanged size', async () => {
    const { files } = await tinyArtifacts();
    const edited = files.get('svm.bin')!.slice();
    edited[edited.length - 1] = edited[edited.length - 1]! ^ 0x01;
    files.set('svm.bin', edited);
    await expectProblem(files, 'svm.bin', 'tampered');
  });

  it('rejects a manifest that is not JSON, or breaks the schema, naming the field', async () => {
    const { files, manifest } = await tinyArtifacts();
    files.set(MANIFEST_FILE, new TextEncoder().encode('{"version": 1,'));
    await expectProblem(files, MANIFEST_FILE, 'corrupt', /not valid JSON/);
    files.set(MANIFEST_FILE, encode({ ...manifest, input: { ...manifest.input, std: -1 } }));
    await expectProblem(files, MANIFEST_FILE, 'invalid', /input\.std/);
    files.set(MANIFEST_FILE, encode({ ...manifest, labels: [...manifest.labels].reverse() }));
    await expectProblem(files, MANIFEST_FILE, 'invalid', /labels/);
  });

  it('rejects a manifest whose feature layer is not in the CNN', async () => {
    const { files, manifest } = await tinyArtifacts();
    files.set(MANIFEST_FILE, encode({ ...manifest, cnn: { ...manifest.cnn, featureLayer: 'nope' } }));
    await expectProblem(files, 'cnn/model.json', 'invalid', /no layer named 'nope'/);
  });

  it('rejects an SVM whose size does not match the features, or holds a non-finite value (hashes re-signed)', async () => {
    const { files, manifest, svm } = await tinyArtifacts();
    const resign = async (bad: Uint8Array) => {
      files.set('svm.bin', bad);
      files.set(
        MANIFEST_FILE,
        encode({ ...manifest, files: { ...manifest.files, 'svm.bin': { sha256: await sha256Hex(bad), bytes: bad.byteLength } } }),
      );
    };
    await resign(
      encodeSvm({
        ...svm,
        featureMean: svm.featureMean.slice(1),
        featureStd: svm.featureStd.slice(1),
        weights: svm.weights.map((row) => row.slice(1)),
      }),
    );
    await expectProblem(files, 'svm.bin', 'invalid', /expected \d+ bytes for 7 classes x \d+ features/);
    await resign(encodeSvm({ ...svm, bias: [Number.NaN, ...svm.bias.slice(1)] }));
    await expectProblem(files, 'svm.bin', 'invalid', /bias holds NaN/);
    await resign(encodeSvm({ ...svm, featureStd: [0, ...svm.featureStd.slice(1)] }));
    await expectProblem(files, 'svm.bin', 'invalid', /featureStd holds 0/);
  });

  it('round-trips an SVM through svm.bin exactly at float32 precision', async () => {
    const { svm } = await tinyArtifacts();
    const decoded = decodeSvm(encodeSvm(svm), svm.featureMean.length, svm.bias.length);
    expect(decoded.weights).toEqual(svm.weights.map((row) => row.map((v) => Math.fround(v))));
    expect(decoded.featureStd).toEqual(svm.featureStd.map((v) => Math.fround(v)));
  });
});
