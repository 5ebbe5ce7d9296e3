import { EXPRESSIONS } from '@fer/core';
import { describe, expect, it } from 'vitest';
import { centroidDistance, FaceTracker, iou, matchByCentroid, matchByIou, smoothingWeight } from '../src/lib/tracking/faceTracker';

const box = (x: number, y = 0, size = 100) => ({ x, y, width: size, height: size });
/** Probabilities with `p` on expression `name` and the rest spread evenly. */
function probs(name: (typeof EXPRESSIONS)[number], p: number): Float32Array {
  return Float32Array.from(EXPRESSIONS, (e) => (e === name ? p : (1 - p) / (EXPRESSIONS.length - 1)));
}

describe('iou', () => {
  it('is 1 for identical boxes, 0 for disjoint or touching ones', () => {
    expect(iou(box(0), box(0))).toBe(1);
    expect(iou(box(0), box(100))).toBe(0);
    expect(iou(box(0), box(500))).toBe(0);
  });
  it('is intersection over union', () => {
    // Overlap 50x100 = 5000; union 20000 - 5000 = 15000.
    expect(iou(box(0), box(50))).toBeCloseTo(1 / 3);
  });
});

describe('matchByIou', () => {
  it('pairs each box with its best overlapping predecessor, once', () => {
    expect(matchByIou([box(0), box(300)], [box(310), box(5), box(900)], 0.3)).toEqual([1, 0, -1]);
  });
  it('gives a contested predecessor to the closer box', () => {
    expect(matchByIou([box(0)], [box(40), box(10)], 0.3)).toEqual([-1, 0]);
  });
  it('ignores overlaps below the threshold', () => {
    expect(matchByIou([box(0)], [box(80)], 0.3)).toEqual([-1]);
  });
});

describe('smoothingWeight', () => {
  it('depends on elapsed time, not on frame count', () => {
    const perFrame30 = smoothingWeight(1000 / 30, 300);
    const perFrame10 = smoothingWeight(100, 300);
    // Three 30 fps steps leave as much of the old value as one 10 fps step.
    expect((1 - perFrame30) ** 3).toBeCloseTo(1 - perFrame10, 10);
    expect(smoothingWeight(0, 300)).toBe(0);
    expect(smoothingWeight(50, 0)).toBe(1);
  });
});

describe('FaceTracker', () => {
  it('keeps a face id while it moves and gives a new face a new id', () => {
    const tracker = new FaceTracker();
    const [a] = tracker.update([{ box: box(0), probabilities: probs('happy', 0.9) }], 0);
    const [a2, b] = tracker.update(
      [
        { box: box(10), probabilities: probs('happy', 0.9) },
        { box: box(400), probabilities: probs('sad', 0.9) },
      ],
      33,
    );
    expect(a2?.id).toBe(a?.id);
    expect(b?.id).not.toBe(a?.id);
    expect(b?.expression).toBe('sad');
  });

  it('smooths a one-frame flip so the label does not flicker, and follows a lasting change', () => {
    const tracker = new FaceTracker({ tauMs: 300 });
    let t = 0;
    for (; t < 1000; t += 33) tracker.update([{ box: box(0), probabilities: probs('happy', 0.8) }], t);
    const [flip] = tracker.update([{ box: box(0), probabilities: probs('surprise', 0.8) }], t);
    expect(flip?.expression).toBe('happy');
    let last = flip;
    for (let i = 0; i < 30; i++) [last] = tracker.update([{ box: box(0), probabilities: probs('surprise', 0.8) }], (t += 33));
    expect(last?.expression).toBe('surprise');
    expect(last?.confidence).toBeGreaterThan(0.75);
  });

  it('keeps the history of a face the detector missed briefly, and forgets it after that', () => {
    const tracker = new FaceTracker({ keepMissingMs: 500 });
    const [first] = tracker.update([{ box: box(0), probabilities: probs('happy', 0.9) }], 0);
    tracker.update([], 100);
    const [back] = tracker.update([{ box: box(0), probabilities: probs('happy', 0.9) }], 400);
    expect(back?.id).toBe(first?.id);
    tracker.update([], 500);
    const [late] = tracker.update([{ box: box(0), probabilities: probs('happy', 0.9) }], 1000);
    expect(late?.id).not.toBe(first?.id);
  });

  it('starts a new face at its own probabilities, unsmoothed, and does not alias the input', () => {
    const tracker = new FaceTracker();
    const input = probs('fear', 0.6);
    const [face] = tracker.update([{ box: box(0), probabilities: input }], 0);
    expect(Array.from(face?.probabilities ?? [])).toEqual(Array.from(input));
    input[0] = 1;
    expect(face?.probabilities[0]).not.toBe(1);
  });

  it('forgets everything on reset', () => {
    const tracker = new FaceTracker();
    const [a] = tracker.update([{ box: box(0), probabilities: probs('happy', 0.9) }], 0);
    tracker.reset();
    const [b] = tracker.update([{ box: box(0), probabilities: probs('happy', 0.9) }], 10);
    expect(b?.id).not.toBe(a?.id);
  });
});

describe('matchByCentroid', () => {
  it('completes IoU matching with the nearest centre, within the limit, once per track', () => {
    // box(0) -> box(60): IoU 0.25, below 0.3, but centres 0.6 sides apart.
    const match = matchByIou([box(0), box(1000)], [box(60), box(2000)], 0.3);
    expect(match).toEqual([-1, -1]);
    expect(matchByCentroid([box(0), box(1000)], [box(60), box(2000)], match, 0.75)).toEqual([0, -1]);
    expect(matchByCentroid([box(0)], [box(60)], [-1], 0.5)).toEqual([-1]);
    expect(matchByCentroid([box(0)], [box(40), box(50)], [0, -1], 2)).toEqual([0, -1]);
  });
  it('measures distance in face sides', () => {
    expect(centroidDistance(box(0, 0, 100), box(50, 0, 100))).toBeCloseTo(0.5);
    expect(centroidDistance(box(0, 0, 10), box(5, 0, 10))).toBeCloseTo(0.5);
  });
});

describe('FaceTracker grace period and centroid fallback', () => {
  it('keeps eight faces’ ids through a brief miss of one and a jump of another', () => {
    const tracker = new FaceTracker({ keepMissingMs: 500, maxCentroidDistance: 0.75 });
    const grid = Array.from({ length: 8 }, (_, i) => box((i % 4) * 300, Math.floor(i / 4) * 300));
    const first = tracker.update(
      grid.map((b) => ({ box: b, probabilities: probs('neutral', 0.8) })),
      0,
    );
    expect(new Set(first.map((f) => f.id)).size).toBe(8);
    // Face 3 missed for two frames; face 5 jumps 60 px (IoU 0.25) when it returns.
    tracker.update(
      grid.filter((_, i) => i !== 3).map((b) => ({ box: b, probabilities: probs('neutral', 0.8) })),
      100,
    );
    tracker.update(
      grid.filter((_, i) => i !== 3).map((b) => ({ box: b, probabilities: probs('neutral', 0.8) })),
      200,
    );
    const moved = grid.map((b, i) => (i === 5 ? { ...b, x: b.x + 60 } : b));
    const back = tracker.update(
      moved.map((b) => ({ box: b, probabilities: probs('neutral', 0.8) })),
      300,
    );
    expect(back.map((f) => f.id)).toEqual(first.map((f) => f.id));
  });
});

describe('FaceTracker on slow analysis', () => {
  it('keeps a face seen in every frame even when frames come seconds apart, and drops it after repeated misses', () => {
    const tracker = new FaceTracker({ keepMissingMs: 500, keepMissingFrames: 2 });
    const seen = (t: number) => tracker.update([{ box: box(0), probabilities: probs('happy', 0.9) }], t);
    const [first] = seen(0);
    expect(seen(1500)[0]?.id).toBe(first?.id);
    expect(seen(3000)[0]?.id).toBe(first?.id);
    tracker.update([], 4500);
    expect(seen(6000)[0]?.id).toBe(first?.id);
    tracker.update([], 7500);
    tracker.update([], 9000);
    expect(seen(10_500)[0]?.id).not.toBe(first?.id);
  });
});
