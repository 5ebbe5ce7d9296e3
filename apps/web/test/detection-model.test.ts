/**
 * The detector model build (scripts/build-detector-model.ts): deterministic, matching the
 * committed file, and the metadata it adds reads back as tasks-vision needs it. That tasks-vision
 * really accepts the model is detection.browser.test.ts's job.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { DETECTOR_METADATA, OUTPUT_PATH, OUTPUT_SHA256, buildDetectorModel, readSourceModel, run, sha256 } from '../scripts/build-detector-model';
import {
  ColorSpaceType,
  METADATA_FILE_IDENTIFIER,
  addModelMetadata,
  readBufferRanges,
  readModel,
  readModelMetadata,
  readModelMetadataBuffer,
} from '../scripts/lib/tflite-flatbuffers';

const appDir = fileURLToPath(new URL('..', import.meta.url));
const source = readSourceModel();
const built = buildDetectorModel(source);
const tmp = mkdtempSync(join(tmpdir(), 'fer-detector-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('build-detector-model', () => {
  it('is deterministic and gives the pinned bytes', () => {
    expect(buildDetectorModel(readSourceModel())).toEqual(built);
    expect(sha256(built)).toBe(OUTPUT_SHA256);
  });

  it('--check passes against the committed model', () => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', 'scripts/build-detector-model.ts', '--check'], {
      cwd: appDir,
      encoding: 'utf8',
    });
    expect(out).toContain('up to date');
    expect(sha256(readFileSync(OUTPUT_PATH))).toBe(OUTPUT_SHA256);
  });

  it('--check fails on a stale or missing file', () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const stale = join(tmp, 'stale.tflite');
    writeFileSync(stale, built.subarray(0, built.length - 1));
    expect(run(['--check'], stale)).toBe(1);
    expect(run(['--check'], join(tmp, 'missing.tflite'))).toBe(1);
    vi.restoreAllMocks();
  });

  it('rejects a source model other than the pinned one', () => {
    const changed = source.slice();
    changed[changed.length - 1]! ^= 1;
    expect(() => buildDetectorModel(changed)).toThrow(/changed: sha256/);
  });
});

describe('model metadata', () => {
  const bytes = readModelMetadataBuffer(built);

  it('is a TFLITE_METADATA buffer holding an "M001" ModelMetadata', () => {
    expect(bytes).not.toBeNull();
    expect(new TextDecoder().decode(bytes!.subarray(4, 8))).toBe(METADATA_FILE_IDENTIFIER);
    expect(readModel(built).metadata).toEqual([{ name: 'TFLITE_METADATA', buffer: readModel(source).bufferCount }]);
  });

  it('decodes back to an RGB image input normalized with mean = std = 127.5', () => {
    const metadata = readModelMetadata(bytes!);
    expect(metadata.input.mean).toEqual([127.5]);
    expect(metadata.input.std).toEqual([127.5]);
    expect(metadata.input.colorSpace).toBe(ColorSpaceType.RGB);
    expect(metadata.outputs.map((o) => o.name)).toEqual(['regressors', 'classificators']);
    expect(metadata.minParserVersion).toBe('1.0.0');
    expect(metadata).toEqual(DETECTOR_METADATA);
  });
});

describe('addModelMetadata', () => {
  it('keeps the graph and every weight buffer byte for byte, at the same 16-byte alignment', () => {
    const before = readModel(source);
    const after = readModel(built);
    expect(after.inputs).toEqual(before.inputs);
    expect(after.outputs).toEqual(before.outputs);
    expect(after.version).toBe(before.version);
    expect(after.bufferCount).toBe(before.bufferCount + 1);

    const oldRanges = readBufferRanges(source);
    const newRanges = readBufferRanges(built);
    oldRanges.forEach((r, i) => {
      const n = newRanges[i]!;
      expect(n.length).toBe(r.length);
      if (r.length === 0) return;
      expect(n.offset % 16).toBe(r.offset % 16);
      expect(built.subarray(n.offset, n.offset + n.length)).toEqual(source.subarray(r.offset, r.offset + r.length));
    });
    expect(newRanges.at(-1)!.offset % 16).toBe(0);
  });

  it('refuses to add a second TFLITE_METADATA entry', () => {
    expect(() => addModelMetadata(built, new Uint8Array(8))).toThrow(/already has/);
  });

  it('refuses what is not a TFLite model', () => {
    expect(() => addModelMetadata(new Uint8Array(64), new Uint8Array(8))).toThrow(/TFL3/);
  });
});
