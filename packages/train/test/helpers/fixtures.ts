import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXPRESSIONS } from '@fer/core';
import jpeg from 'jpeg-js';

export const PIXELS = 48 * 48;

/** A smooth 48x48 grey picture that differs with `seed`. */
export function greyImage(seed: number): Uint8Array {
  const pixels = new Uint8Array(PIXELS);
  for (let i = 0; i < PIXELS; i++) pixels[i] = Math.round(128 + 60 * Math.sin(i / (7 + (seed % 5)) + seed));
  return pixels;
}

export function jpegOf(pixels: Uint8Array): Buffer {
  const rgba = Buffer.alloc(PIXELS * 4, 255);
  pixels.forEach((v, i) => rgba.fill(v, 4 * i, 4 * i + 3));
  return jpeg.encode({ width: 48, height: 48, data: rgba }, 90).data;
}

/** One line of fer2013.csv: emotion code, pixels, Usage. */
export function csvRow(code: number, pixels: Uint8Array, usage: string): string {
  return `${code},${Array.from(pixels).join(' ')},${usage}`;
}

export const CSV_HEADER = 'emotion,pixels,Usage';

/**
 * A Kaggle-layout folder with `perLabel` JPEGs per label in train/ and test/ (PublicTest_ names),
 * all copies of a few encoded images (encoding is slow). Returns its path.
 */
export function writeImageFolder(root: string, perLabel: number): string {
  const encoded = [0, 1, 2].map((seed) => jpegOf(greyImage(seed)));
  for (const [split, prefix] of [
    ['train', 'Training_'],
    ['test', 'PublicTest_'],
  ] as const) {
    EXPRESSIONS.forEach((label, k) => {
      const dir = join(root, split, label);
      mkdirSync(dir, { recursive: true });
      for (let i = 0; i < perLabel; i++) writeFileSync(join(dir, `${prefix}${k * 1000 + i}.jpg`), encoded[(i + k) % encoded.length]!);
    });
  }
  return root;
}
