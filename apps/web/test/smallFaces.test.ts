import { describe, expect, it } from 'vitest';
import type { DetectedFace } from '../src/lib/detection/faceDetector';
import { addMissedFaces, smallestReliableFace } from '../src/lib/detection/smallFaces';

const face = (x: number, y: number, width: number, height: number, score = 0.9): DetectedFace => ({
  box: { x, y, width, height },
  score,
  keypoints: [],
});

describe('addMissedFaces', () => {
  it('keeps the whole-image box of a face a tile cut, even when the cut box scores higher', () => {
    const whole = [face(60, 60, 220, 220, 0.8)];
    const tiled = [face(66, 119, 229, 221, 0.95)];
    expect(addMissedFaces(whole, tiled)).toEqual(whole);
  });

  it('adds the small faces only the tiles found, also next to a found face', () => {
    const whole = [face(60, 60, 220, 220)];
    const small = [face(900, 400, 100, 100), face(281, 100, 90, 90)];
    expect(addMissedFaces(whole, [...small, face(70, 70, 200, 200)])).toEqual([...whole, ...small]);
  });
});

describe('smallestReliableFace', () => {
  it('is about 30 detector pixels seen through a tile', () => {
    // 1200x700 in 3x2 tiles grown by 30%: 520x455 tiles, so 30 * 520 / 128.
    expect(smallestReliableFace(1200, 700)).toBe(122);
    expect(smallestReliableFace(600, 320)).toBe(61);
  });
});
