import { AUDIENCE_CAMERA_PROBLEM_TEXT } from '../src/lib/camera/cameraProblems';
import { describe, expect, it } from 'vitest';
import { describeMoment, sessionName, signed, stretch, tied, where } from '../src/lib/audience/report/format';
import { linePath, stackLayers } from '../src/lib/audience/report/chartSeries';
import { layoutMarkerLabels, overlaps, type MarkerSpot } from '../src/lib/audience/report/markerLayout';

describe('chart geometry in data units', () => {
  it('draws a line in seconds and minus the value, broken where a value is missing', () => {
    const d = linePath({ label: 'valence', color: '#fff', x: [0, 0.5, 1, 1.5, 2], values: [0.25, -0.5, null, 1 / 3, 0] });
    expect(d).toBe('M0,-0.25L0.5,0.5M1.5,-0.333L2,0');
  });

  it('stacks layers from 0 up to their running sum, each polygon its upper edge then its lower edge back', () => {
    const x = [0, 1, 2];
    const layers = stackLayers([
      { label: 'happy', color: 'gold', x, values: [0.5, 0.25, null] },
      { label: 'sad', color: 'blue', x, values: [0.5, 0.75, 1] },
    ]);
    expect(layers.map((l) => l.label)).toEqual(['happy', 'sad']);
    expect(layers[0]?.points).toBe('0,-0.5 1,-0.25 2,0 2,0 1,0 0,0');
    expect(layers[1]?.points).toBe('0,-1 1,-1 2,-1 2,0 1,-0.25 0,-0.5');
  });
});

describe('marker labels', () => {
  const spots = (xs: number[], text = 'Punch line'): MarkerSpot[] => xs.map((x, i) => ({ x, text: `${i + 1} ${text}`, short: String(i + 1) }));
  const noOverlap = (labels: ReturnType<typeof layoutMarkerLabels>['labels']) =>
    labels.every((a, i) => labels.every((b, j) => i === j || !overlaps(a, b)));

  it('keeps full labels on separate rows when they would collide', () => {
    const { labels, rows } = layoutMarkerLabels(spots([100, 110, 400]), { width: 600 });
    expect(rows).toBe(2);
    expect(labels.map((l) => l.text)).toEqual(['1 Punch line', '2 Punch line', '3 Punch line']);
    expect(noOverlap(labels)).toBe(true);
  });

  it('falls back to numbers when full labels need too many rows, and never overlaps (random markers)', () => {
    const crowded = layoutMarkerLabels(spots([100, 102, 104, 106]), { width: 600 });
    expect(crowded.labels.map((l) => l.text)).toEqual(['1', '2', '3', '4']);
    let seed = 7;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let run = 0; run < 200; run++) {
      const width = 150 + random() * 800;
      const xs = Array.from({ length: 1 + Math.floor(random() * 12) }, () => random() * width);
      const { labels } = layoutMarkerLabels(spots(xs, 'Logo on screen'), { width });
      expect(noOverlap(labels)).toBe(true);
      expect(labels.every((l) => l.left >= 0 && l.left + l.width <= width + 1e-9)).toBe(true);
    }
  });
});

describe('report wording', () => {
  it('writes ties as ties', () => {
    expect(tied(['angry', 'neutral'])).toBe('angry = neutral');
    expect(tied([])).toBe('–');
    const moment = {
      metric: 'happy' as const,
      value: 0.625,
      at: [
        { fromMs: 3000, toMs: 5000 },
        { fromMs: 9000, toMs: 10000 },
      ],
    };
    expect(where(moment)).toBe('3.0–5.0 s and 9.0 s (tie)');
    expect(describeMoment(moment)).toBe('Most happy: 63% at 3.0–5.0 s and 9.0 s (tie)');
    expect(describeMoment({ metric: 'valence-high', value: 0.42, at: [{ fromMs: 61000, toMs: 62000 }] })).toBe('Most positive: +0.42 at 1:01');
  });

  it('signs valence and formats stretches', () => {
    expect(signed(0.1234)).toBe('+0.12');
    expect(signed(-0.5)).toBe('−0.50');
    expect(signed(0.001)).toBe('0.00');
    expect(signed(null)).toBe('–');
    expect(stretch({ fromMs: 16000, toMs: 17000 })).toBe('16.0 s');
  });

  it("names sessions with the locale's date format", () => {
    const at = Date.UTC(2026, 10, 30, 14, 5);
    const us = sessionName('Camera session', at, 'en-US');
    const de = sessionName('Camera session', at, 'de-DE');
    expect(us).toMatch(/^Camera session Nov 30, 2026/);
    expect(de).toMatch(/^Camera session 30\.11\.2026/);
  });
});

describe('audience camera advice', () => {
  it('points to the Video file source, never to a photo mode the page lacks', () => {
    for (const text of Object.values(AUDIENCE_CAMERA_PROBLEM_TEXT)) expect(text.detail).not.toMatch(/photo mode/i);
    expect(AUDIENCE_CAMERA_PROBLEM_TEXT['no-camera'].detail).toContain('Video file');
  });
});
