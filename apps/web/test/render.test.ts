import * as tf from '@tensorflow/tfjs';
import { cropFaces } from '@fer/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { FACE_MARGIN } from '../src/lib/pipeline/analyze';
import { cropRegion, fitScale, mirrorBox } from '../src/lib/render/geometry';
import { heatmapRgba } from '../src/lib/render/heatmap';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('cropRegion', () => {
  it('is the region cropFaces reads, so the heat map lands on the pixels it explains', () => {
    const [height, width] = [240, 320];
    // Every pixel holds its own x, then its own y: the crop's corners tell where it was taken.
    const xs = tf.tidy(() => tf.range(0, width).reshape([1, width, 1]).tile([height, 1, 1]) as tf.Tensor3D);
    const ys = tf.tidy(() => tf.range(0, height).reshape([height, 1, 1]).tile([1, width, 1]) as tf.Tensor3D);
    const box = { x: 120, y: 70, width: 60, height: 80 };
    const input = { height: 48, width: 48, channels: 1 as const, mean: 0, std: 1 };
    const cropX = cropFaces(xs, [box], input, FACE_MARGIN).dataSync();
    const cropY = cropFaces(ys, [box], input, FACE_MARGIN).dataSync();
    const region = cropRegion(box, FACE_MARGIN);
    expect(cropX[0]).toBeCloseTo(region.x, -0.5);
    expect(cropX[47]).toBeCloseTo(region.x + region.width, -0.5);
    expect(cropY[0]).toBeCloseTo(region.y, -0.5);
    expect(cropY[47 * 48]).toBeCloseTo(region.y + region.height, -0.5);
    expect(region.width).toBe(region.height);
    tf.dispose([xs, ys]);
  });
});

describe('geometry', () => {
  it('mirrors a box within the frame', () => {
    expect(mirrorBox({ x: 10, y: 5, width: 30, height: 40 }, 100)).toEqual({ x: 60, y: 5, width: 30, height: 40 });
  });
  it('scales large images down to fit and never enlarges small ones', () => {
    expect(fitScale(4000, 3000, 1280)).toBeCloseTo(0.32);
    expect(fitScale(640, 480, 1280)).toBe(1);
  });
});

describe('heatmapRgba', () => {
  it('is transparent where saliency is 0 and most opaque and reddest at 1', () => {
    const rgba = heatmapRgba([0, 0.5, 1, 7], 0.6);
    expect(Array.from(rgba.slice(0, 4))).toEqual([255, 255, 0, 0]);
    expect(rgba[7]).toBeGreaterThan(0);
    expect(rgba[7]).toBeLessThan(rgba[11] as number);
    expect(Array.from(rgba.slice(8, 12))).toEqual([255, 0, 0, 153]);
    // Out-of-range input is clamped.
    expect(Array.from(rgba.slice(12, 16))).toEqual([255, 0, 0, 153]);
  });
});
