import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { fitScale, mirrorBox } from '../src/lib/render/geometry';
import { heatmapRgba } from '../src/lib/render/heatmap';

beforeAll(async () => {
  await tf.setBackend('cpu');
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
