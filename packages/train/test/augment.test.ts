import { describe, expect, it } from 'vitest';
import { augmentBatch, type AugmentConfig } from '../src/training/augment.js';

const side = 8;
/** An 8x8 image whose every pixel is distinct: value = 3 * index + 1. */
const image = Uint8Array.from({ length: side * side }, (_, i) => 3 * i + 1);
const at = (pixels: ArrayLike<number>, x: number, y: number) => pixels[y * side + x] as number;

/** A `random` that returns the given draws in order. */
function scripted(...draws: number[]): () => number {
  let next = 0;
  return () => {
    const draw = draws[next++];
    if (draw === undefined) throw new Error('more random draws than scripted');
    return draw;
  };
}

function augment(config: AugmentConfig, random: () => number, source = image): Float32Array {
  const target = new Float32Array(side * side);
  augmentBatch(source, [0], side, config, random, target);
  return target;
}

describe('augmentBatch', () => {
  it('copies the image when no change is drawn', () => {
    // flip draw 0.9 >= 0.5 (no flip); shift draws 0.5 -> 0 px.
    expect(Array.from(augment({ flip: 0.5, maxShift: 2 }, scripted(0.9, 0.5, 0.5)))).toEqual(Array.from(image));
  });

  it('mirrors left-right on a flip and shifts by whole pixels, repeating edges', () => {
    const flipped = augment({ flip: 0.5, maxShift: 2 }, scripted(0.1, 0.5, 0.5));
    expect(at(flipped, 0, 3)).toBe(at(image, 7, 3));
    // Draw 1 -> shift +2 on x, draw 0 -> -2 on y: output (x, y) shows source (x + 2, y - 2).
    const shifted = augment({ flip: 0, maxShift: 2 }, scripted(0.9, 1, 0));
    expect(at(shifted, 1, 5)).toBe(at(image, 3, 3));
    expect(at(shifted, 7, 0)).toBe(at(image, 7, 0));
  });

  it('rotates about the centre: a 90 degree turn moves pixels exactly', () => {
    const turned = augment({ flip: 0, maxShift: 0, maxRotation: 90 }, scripted(0.9, 0.5, 0.5, 1));
    // Inverse map of +90 degrees about (3.5, 3.5): output (x, y) samples source (y, 7 - x).
    for (const [x, y] of [
      [0, 0],
      [2, 5],
      [7, 1],
    ] as const)
      expect(at(turned, x, y)).toBe(at(image, y, 7 - x));
  });

  it('zooms with bilinear sampling: constant images stay constant, values stay in range', () => {
    const flat = new Uint8Array(side * side).fill(90);
    const zoomed = augment({ flip: 0, maxShift: 1, maxRotation: 15, maxScale: 0.2 }, scripted(0.9, 0.3, 0.8, 0.7, 0.1), flat);
    expect(zoomed.every((v) => Math.abs(v - 90) < 1e-4)).toBe(true);
    const varied = augment({ flip: 0, maxShift: 0, maxScale: 0.5 }, scripted(0.9, 0.5, 0.5, 1));
    expect(Math.min(...varied)).toBeGreaterThanOrEqual(1);
    expect(Math.max(...varied)).toBeLessThanOrEqual(3 * 63 + 1);
    // Zoomed in 1.5x, the centre stays put while the corners pull inwards.
    expect(at(varied, 0, 0)).toBeGreaterThan(at(image, 0, 0));
  });

  it('erases a rectangle of the drawn size, place and aspect with noise, and only when drawn', () => {
    // No flip or shift; erase draw 0.1 < 0.5: area draw 0 -> 2% of 64 px = 1.28; aspect draw 0.5 -> ~1: a 1x1 square;
    // top and left draws 0.5 -> floor(8 * 0.5) = 4; noise draw 0.2 -> 51.
    const erased = augment({ flip: 0.5, maxShift: 0, erase: 0.5 }, scripted(0.9, 0.5, 0.5, 0.1, 0, 0.5, 0.5, 0.5, 0.2));
    const changed = Array.from(erased).flatMap((v, i) => (v === image[i] ? [] : [i]));
    expect(changed).toEqual([4 * side + 4]);
    expect(at(erased, 4, 4)).toBeCloseTo(0.2 * 255, 4);
    // Erase draw 0.7 >= 0.5: the image is copied, and no more draws are taken.
    expect(Array.from(augment({ flip: 0.5, maxShift: 0, erase: 0.5 }, scripted(0.9, 0.5, 0.5, 0.7)))).toEqual(Array.from(image));
  });
});
