import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { cropFaces, pixelsToInput, type InputSpec } from '../src/index.js';

const input: InputSpec = { height: 48, width: 48, channels: 1, mean: 0.5, std: 0.25 };

describe('cropFaces', () => {
  it('crops each box (square, with margin) to a 48x48 grey image using BT.601 luma', () => {
    // A 200x120 RGB frame, black except a pure-red 40x40 square at (100, 30).
    const frame = tf.tidy(() => {
      const data = new Float32Array(120 * 200 * 3);
      for (let y = 30; y < 70; y++) for (let x = 100; x < 140; x++) data[(y * 200 + x) * 3] = 255;
      return tf.tensor3d(data, [120, 200, 3]);
    });
    const crops = cropFaces(frame, [{ x: 100, y: 30, width: 40, height: 40 }, { x: 0, y: 0, width: 40, height: 40 }], input, 0.25);
    expect(crops.shape).toEqual([2, 48, 48, 1]);
    const [face, background] = crops.arraySync() as number[][][][];
    expect(face![24]![24]![0]).toBeCloseTo(0.299 * 255, 3);
    // The margin shows: with 25% per side the square spans the middle 2/3 of the crop.
    expect(face![2]![2]![0]).toBeCloseTo(0, 3);
    expect(background![24]![24]![0]).toBeCloseTo(0, 3);
    tf.dispose([frame, crops]);
  });

  it('rejects an empty list of boxes', () => {
    const frame = tf.zeros([10, 10, 3]) as tf.Tensor3D;
    expect(() => cropFaces(frame, [], input)).toThrow(/at least one box/);
    frame.dispose();
  });
});

describe('pixelsToInput', () => {
  it('normalizes grey levels as the manifest says and checks the count', () => {
    const pixels = new Uint8Array(2 * 48 * 48).fill(255);
    const batch = pixelsToInput(pixels, 2, input);
    expect(batch.shape).toEqual([2, 48, 48, 1]);
    expect(batch.dataSync()[0]).toBeCloseTo((1 - 0.5) / 0.25, 5);
    expect(() => pixelsToInput(pixels, 3, input)).toThrow(/expected 6912 grey levels/);
    batch.dispose();
  });
});
