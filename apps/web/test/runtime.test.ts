import { ArtifactError } from '@fer/core';
import { describe, expect, it } from 'vitest';
import { describeLoadError, RuntimeLoadError } from '../src/lib/runtime/loadError';
import { backendOverride } from '../src/lib/runtime/tfBackend';

describe('describeLoadError', () => {
  it('names the model file at fault and what is wrong with it', () => {
    const cause = new ArtifactError('svm.json', 'tampered', 'SHA-256 abc does not match');
    const text = describeLoadError(new RuntimeLoadError('classifier', '/models/svm.json', cause.message, { cause }));
    expect(text.title).toBe('The expression model failed to load');
    expect(text.detail).toContain('/models/svm.json');
    expect(text.detail).toContain("does not match the hash in the model's manifest");
  });
  it('names the detector model when the detector fails', () => {
    const text = describeLoadError(new RuntimeLoadError('detector', '/detector/face.tflite', 'wasm failed'));
    expect(text.title).toBe('The face detector failed to load');
    expect(text.detail).toBe('Could not use /detector/face.tflite. (wasm failed)');
  });
  it('explains a missing backend without a file', () => {
    expect(describeLoadError(new RuntimeLoadError('backend', undefined, 'no WebGL')).detail).toBe('no WebGL');
  });
  it('copes with any other error', () => {
    expect(describeLoadError(new Error('boom'))).toEqual({ title: 'The app failed to start', detail: 'boom' });
  });
});

describe('backendOverride', () => {
  it('accepts webgl or wasm from ?backend= and ignores anything else', () => {
    expect(backendOverride('?backend=wasm')).toBe('wasm');
    expect(backendOverride('?x=1&backend=webgl')).toBe('webgl');
    expect(backendOverride('?backend=cpu')).toBeUndefined();
    expect(backendOverride('')).toBeUndefined();
  });
});
