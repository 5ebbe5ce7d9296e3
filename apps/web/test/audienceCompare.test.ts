import { EXPRESSIONS, type Expression } from '@fer/core';
import { describe, expect, it } from 'vitest';
import { alignmentOffsetMs, compareSessions, sharedMarkerLabels } from '../src/lib/audience/report/compare';
import type { FrameSample, Marker, Session } from '../src/lib/audience/session';
import { testSession } from './helpers/sessions';

const p = (values: Partial<Record<Expression, number>>) => EXPRESSIONS.map((e) => values[e] ?? 0);

/** One face facing the camera at 2 frames/s: `before` until the marker "Ad" at `adMs`, then `after`. */
function session(id: string, adMs: number, durationMs: number, before: number[], after: number[], extra: Marker[] = []): Session {
  const frames: FrameSample[] = [];
  for (let t = 0; t < durationMs; t += 500) frames.push({ t, faces: [{ id: 1, box: [0, 0, 50, 50], p: t < adMs ? before : after, yaw: 0 }] });
  return testSession(frames, { id, durationMs, markers: [{ t: adMs, label: 'Ad' }, ...extra] });
}

describe('comparing sessions', () => {
  const neutral = p({ neutral: 1 });
  const a = session('A', 2000, 6000, neutral, p({ happy: 0.6, neutral: 0.4 }));
  const b = session('B', 3000, 5000, neutral, p({ happy: 0.2, sad: 0.3, neutral: 0.5 }), [{ t: 4000, label: 'Logo' }]);

  it('aligns at the start or at a marker both sessions have', () => {
    expect(sharedMarkerLabels([a, b])).toEqual(['Ad']);
    expect(alignmentOffsetMs(b, { kind: 'marker', label: 'Ad' })).toBe(3000);
    expect(alignmentOffsetMs(a, { kind: 'marker', label: 'Logo' })).toBeUndefined();
    const atAd = compareSessions([a, b], { kind: 'marker', label: 'Ad' });
    expect(atAd.offsetsMs).toEqual([2000, 3000]);
    // A spans -2..4 s around the ad, B -3..2 s.
    expect([atAd.xMin, atAd.xMax]).toEqual([-3, 4]);
    expect(compareSessions([a, b], { kind: 'start' }).offsetsMs).toEqual([0, 0]);
  });

  it('matches segments by marker label and gives B - A per metric', () => {
    const { segments } = compareSessions([a, b], { kind: 'start' });
    expect(segments.map((s) => s.label)).toEqual(['Start', 'Ad', 'Logo']);
    const ad = segments[1]!;
    // A after the ad: valence 0.6, expressiveness 0.6; B between Ad and Logo: valence 0.2 - 0.3 = -0.1, expressiveness 0.5.
    expect(ad.segments.map((s) => s?.valence)).toEqual([0.6, -0.1]);
    expect(ad.valenceDiff).toEqual([0, -0.7]);
    expect(ad.expressivenessDiff).toEqual([0, -0.1]);
    expect(ad.attentionDiff).toEqual([0, 0]);
    // Shares: A happy 1; B neutral 1 (0.5 is its top).
    expect(ad.sharesDiff[1]).toEqual(p({ happy: -1, neutral: 1 }));
    // Logo exists in B only: no difference to give.
    expect(segments[2]!.segments[0]).toBeUndefined();
    expect(segments[2]!.valenceDiff).toEqual([null, null]);
  });
});
