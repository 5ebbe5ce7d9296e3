import { ArtifactError } from '@fer/core';
import { describe, expect, it } from 'vitest';
import { describeLoadError, RuntimeLoadError } from '../src/lib/runtime/loadError';
import { backendOverride } from '../src/lib/runtime/backendChoice';

describe('describeLoadError', () => {
  it('names the model file at fault in plain words and folds the hashes into the technical details', () => {
    const cause = new ArtifactError('svm.json', 'tampered', 'SHA-256 abc does not match def');
    const text = describeLoadError(new RuntimeLoadError('classifier', '/models/svm.json', cause.message, { cause }));
    expect(text.title).toBe('The expression model failed to load');
    expect(text.detail).toContain('The file /models/svm.json is not the file this model was published with');
    expect(text.detail).toContain('Reload to download it again');
    expect(text.detail).not.toContain('abc');
    expect(text.technical).toContain('SHA-256 abc does not match def');
  });
  it('names the detector model when the detector fails', () => {
    const text = describeLoadError(new RuntimeLoadError('detector', '/detector/face.tflite', 'wasm failed'));
    expect(text.title).toBe('The face detector failed to load');
    expect(text.detail).toMatch(/^The file \/detector\/face\.tflite could not be used\. /);
    expect(text.technical).toBe('wasm failed');
  });
  it('explains a missing backend without a file', () => {
    const text = describeLoadError(new RuntimeLoadError('backend', undefined, 'no WebGL'));
    expect(text.detail).toMatch(/WebGL or WebAssembly/);
    expect(text.technical).toBe('no WebGL');
  });
  it('copes with any other error', () => {
    expect(describeLoadError(new Error('boom'))).toMatchObject({ title: 'The app failed to start', technical: 'boom' });
  });
});

describe('backendOverride', () => {
  it('accepts webgpu, webgl or wasm from ?backend= and ignores anything else', () => {
    expect(backendOverride('?backend=wasm')).toBe('wasm');
    expect(backendOverride('?backend=webgpu')).toBe('webgpu');
    expect(backendOverride('?x=1&backend=webgl')).toBe('webgl');
    expect(backendOverride('?backend=cpu')).toBeUndefined();
    expect(backendOverride('')).toBeUndefined();
  });
});
