import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { cropFaces, cropRegion, cropWindow, grayFromRgba, pixelsToInput, type InputSpec } from '../src/index.js';

const input: InputSpec = { height: 48, width: 48, channels: 1, mean: 0.5, std: 0.25, cropMargin: 0.15 };

describe('cropFaces', () => {
  it('crops each box (square, with margin) to a 48x48 grey image using BT.601 luma', () => {
    // A 200x120 RGB frame, black except a pure-red 40x40 square at (100, 30).
    const frame = tf.tidy(() => {
      const data = new Float32Array(120 * 200 * 3);
      for (let y = 30; y < 70; y++) for (let x = 100; x < 140; x++) data[(y * 200 + x) * 3] = 255;
      return tf.tensor3d(data, [120, 200, 3]);
    });
    const crops = cropFaces(
      frame,
      [
        { x: 100, y: 30, width: 40, height: 40 },
        { x: 0, y: 0, width: 40, height: 40 },
      ],
      { ...input, cropMargin: 0.25 },
    );
    expect(crops.shape).toEqual([2, 48, 48, 1]);
    const [face, background] = crops.arraySync();
    expect(face![24]![24]![0]).toBeCloseTo(0.299 * 255, 3);
    // The margin shows: with 25% per side the square spans the middle 2/3 of the crop.
    expect(face![2]![2]![0]).toBeCloseTo(0, 3);
    expect(background![24]![24]![0]).toBeCloseTo(0, 3);
    tf.dispose([frame, crops]);
  });

  it('rejects an empty list of boxes', () => {
    const frame = tf.zeros<tf.Rank.R3>([10, 10, 3]);
    expect(() => cropFaces(frame, [], input)).toThrow(/at least one box/);
    frame.dispose();
  });
});

describe('grayFromRgba', () => {
  it('gives the crop that cropping the colour pixels gives', () => {
    const [width, height] = [64, 40];
    const rgba = new Uint8ClampedArray(width * height * 4).map((_, i) => (i * 37 + (i >> 7) * 11) % 256);
    const box = { x: 12.4, y: 6.1, width: 30.5, height: 27.2 };
    const colour = tf.tensor3d(Int32Array.from(rgba), [height, width, 4], 'int32');
    const gray = grayFromRgba(rgba, width, height);
    expect(gray.shape).toEqual([height, width, 1]);
    const fromColour = cropFaces(colour, [box], input);
    const fromGray = cropFaces(gray, [box], input);
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(fromColour, fromGray))).dataSync()[0]);
    expect(diff).toBeLessThan(1e-3);
    tf.dispose([colour, gray, fromColour, fromGray]);
  });

  it('rejects a buffer that does not hold width x height RGBA pixels', () => {
    expect(() => grayFromRgba(new Uint8ClampedArray(4 * 10 * 10 - 1), 10, 10)).toThrow(/expected 400 RGBA values for 10x10 pixels, got 399/);
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

describe('cropRegion', () => {
  it('is the region cropFaces reads, so a saliency map drawn over it lands on the pixels it explains', () => {
    const [height, width] = [240, 320];
    // Every pixel holds its own x, then its own y: the crop's corners tell where it was taken.
    const xs = tf.tidy(() => tf.range(0, width).reshape([1, width, 1]).tile<tf.Tensor3D>([height, 1, 1]));
    const ys = tf.tidy(() => tf.range(0, height).reshape([height, 1, 1]).tile<tf.Tensor3D>([1, width, 1]));
    const box = { x: 120, y: 70, width: 60, height: 80 };
    const cropX = cropFaces(xs, [box], input).dataSync();
    const cropY = cropFaces(ys, [box], input).dataSync();
    const region = cropRegion(box, input.cropMargin);
    expect(cropX[0]).toBeCloseTo(region.x, -0.5);
    expect(cropX[47]).toBeCloseTo(region.x + region.width, -0.5);
    expect(cropY[0]).toBeCloseTo(region.y, -0.5);
    expect(cropY[47 * 48]).toBeCloseTo(region.y + region.height, -0.5);
    expect(region.width).toBe(region.height);
    tf.dispose([xs, ys]);
  });
});

describe('cropWindow', () => {
  const frameWidth = 160;
  const frameHeight = 120;
  // Every pixel a different colour, so any misplaced sample shows.
  const frame = tf.tidy(() => tf.randomUniform<tf.Rank.R3>([frameHeight, frameWidth, 4], 0, 255, 'int32', 7));
  const boxes = [
    { x: 50.3, y: 20.7, width: 40.2, height: 44.9 }, // inside the frame
    { x: -12.5, y: 80, width: 50, height: 50 }, // over the left and bottom edges
    { x: 150, y: -30, width: 30, height: 25 }, // mostly outside, top right
    { x: 300, y: 10, width: 20, height: 20 }, // entirely outside
  ];

  it.each(boxes)('reading only the window of %o gives the crop the whole frame gives', (box) => {
    const window = cropWindow(box, frameWidth, frameHeight, input.cropMargin);
    expect(window.x).toBeGreaterThanOrEqual(0);
    expect(window.y).toBeGreaterThanOrEqual(0);
    expect(window.x + window.width).toBeLessThanOrEqual(frameWidth);
    expect(window.y + window.height).toBeLessThanOrEqual(frameHeight);
    const pixels = frame.slice([window.y, window.x, 0], [window.height, window.width, -1]);
    const whole = cropFaces(frame, [box], input);
    const part = cropFaces({ pixels, window, frameWidth, frameHeight }, [box], input);
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(whole, part))).dataSync()[0]);
    expect(diff).toBeLessThan(1e-3);
    tf.dispose([pixels, whole, part]);
  });

  it('is much smaller than the frame for a face inside it', () => {
    const window = cropWindow(boxes[0]!, frameWidth, frameHeight, input.cropMargin);
    expect(window.width * window.height).toBeLessThan((frameWidth * frameHeight) / 3);
  });

  it('rejects pixels that do not match the window', () => {
    const window = cropWindow(boxes[0]!, frameWidth, frameHeight, input.cropMargin);
    expect(() => cropFaces({ pixels: frame, window, frameWidth, frameHeight }, [boxes[0]!], input)).toThrow(/window is/);
  });
});
