import { describe, expect, it } from 'vitest';
import { EXPRESSIONS } from '@fer/core';
import { contrastRatio, placeLabels, type Rect } from '../src/lib/render/labelPlacement';
import { EXPRESSION_COLORS } from '../src/lib/render/palette';
import { LABEL_TEXT_COLOR, labelText } from '../src/lib/render/overlay';

const overlap = (a: Rect, b: Rect) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

/** Every pair of labels apart, every label inside the frame. */
function expectTidy(labels: readonly Rect[], width: number, height: number): void {
  for (const [i, a] of labels.entries()) {
    expect(a.x).toBeGreaterThanOrEqual(0);
    expect(a.y).toBeGreaterThanOrEqual(0);
    expect(a.x + a.width).toBeLessThanOrEqual(width);
    expect(a.y + a.height).toBeLessThanOrEqual(height);
    for (const b of labels.slice(i + 1)) expect(overlap(a, b), `${JSON.stringify(a)} overlaps ${JSON.stringify(b)}`).toBe(false);
  }
}

const size = { width: 200, height: 32 };

describe('placeLabels', () => {
  it('puts a lone label just above its box, left-aligned', () => {
    expect(placeLabels([{ x: 100, y: 100, width: 150, height: 150 }], [size], 640, 480)).toEqual([{ x: 100, y: 68, ...size }]);
  });

  it('keeps labels of faces at the edges inside the frame', () => {
    const boxes = [
      { x: 560, y: 0, width: 80, height: 80 },
      { x: -20, y: 430, width: 90, height: 90 },
    ];
    expectTidy(placeLabels(boxes, [size, size], 640, 480), 640, 480);
  });

  it('separates the labels of two close faces side by side and one above the other', () => {
    const sideBySide = [
      { x: 100, y: 100, width: 120, height: 120 },
      { x: 150, y: 110, width: 120, height: 120 },
    ];
    const placedSide = placeLabels(sideBySide, [size, size], 640, 480);
    expectTidy(placedSide, 640, 480);
    // The second label takes the next natural spot (below its box), not somewhere far away.
    expect(placedSide[1]).toEqual({ x: 150, y: 230, ...size });
    const stacked = [
      { x: 100, y: 0, width: 120, height: 120 },
      { x: 100, y: 125, width: 120, height: 120 },
    ];
    expectTidy(placeLabels(stacked, [size, size], 640, 480), 640, 480);
  });

  it('finds room for many labels of overlapping faces in a crowded frame', () => {
    const boxes = Array.from({ length: 8 }, (_, i) => ({ x: 200 + 10 * i, y: 150 + 5 * i, width: 100, height: 100 }));
    expectTidy(
      placeLabels(
        boxes,
        boxes.map(() => size),
        640,
        480,
      ),
      640,
      480,
    );
  });

  it('deterministically handles random scenes without overlaps', () => {
    let seed = 7;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let scene = 0; scene < 200; scene++) {
      const n = 1 + Math.floor(random() * 5);
      const boxes = Array.from({ length: n }, () => ({
        x: random() * 600 - 20,
        y: random() * 440 - 20,
        width: 40 + random() * 160,
        height: 40 + random() * 160,
      }));
      const sizes = boxes.map(() => ({ width: 120 + Math.round(random() * 140), height: 30 }));
      expectTidy(placeLabels(boxes, sizes, 640, 480), 640, 480);
    }
  });
});

describe('label contrast and text', () => {
  it('is at least 4.5:1 for every expression colour (WCAG AA)', () => {
    for (const expression of EXPRESSIONS)
      expect(contrastRatio(EXPRESSION_COLORS[expression], LABEL_TEXT_COLOR), expression).toBeGreaterThanOrEqual(4.5);
  });

  it('computes WCAG contrast ratios', () => {
    expect(contrastRatio('#000000', '#ffffff')).toBeCloseTo(21);
    expect(contrastRatio('#777777', '#ffffff')).toBeCloseTo(4.48, 2);
  });

  it('says when a label is a guess', () => {
    expect(labelText({ expression: 'happy', confidence: 0.923, number: 1 })).toBe('1  happy 92%');
    expect(labelText({ expression: 'neutral', confidence: 0.28, unsure: true })).toBe('unsure: neutral 28%');
  });
});
