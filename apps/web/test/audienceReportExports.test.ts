import { EXPRESSIONS, type Expression } from '@fer/core';
import { describe, expect, it } from 'vitest';
import { CSV_HEADER, fromJson, toCsv, toJson, type SessionDocument } from '../src/lib/audience/exportFormats';
import { METRICS_VERSION } from '../src/lib/audience/metrics';
import { csvField, MARKERS_CSV_HEADER, PER_SECOND_CSV_HEADER, toMarkersCsv, toPerSecondCsv } from '../src/lib/audience/reportExports';
import type { FrameSample, Session } from '../src/lib/audience/session';

const p = (values: Partial<Record<Expression, number>>) => EXPRESSIONS.map((e) => values[e] ?? 0);

/** 3 s at 2 frames/s, two faces; a marker "Ad, part 1" (a comma, to be quoted) at 1.5 s. */
function demo(): Session {
  const frames: FrameSample[] = [0, 500, 1000, 1500, 2000, 2500].map((t) => ({
    t,
    faces: [
      { id: 1, box: [0, 0, 50, 50], p: t < 1500 ? p({ neutral: 1 }) : p({ happy: 0.75, neutral: 0.25 }), yaw: 5 },
      { id: 2, box: [100, 0, 50, 50], p: p({ sad: 0.5, neutral: 0.5 }), yaw: t < 1500 ? -10 : 50 },
    ],
  }));
  return {
    meta: {
      id: 'd',
      name: 'Demo',
      source: 'camera',
      createdAt: 0,
      width: 640,
      height: 480,
      durationMs: 3000,
      frameCount: frames.length,
      markers: [{ t: 1500, label: 'Ad, part 1' }],
      state: 'stopped',
    },
    frames,
  };
}

/** Splits a CSV whose only quoted fields hold no line breaks. */
const parse = (csv: string) =>
  csv
    .trimEnd()
    .split('\n')
    .map((line) =>
      [...line.matchAll(/("(?:[^"]|"")*"|[^,]*)(?:,|$)/g)].map((m) => (m[1] ?? '').replace(/^"|"$/g, '').replace(/""/g, '"')).slice(0, -1),
    );

describe('report exports', () => {
  it('quotes CSV fields that need it', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField(null)).toBe('');
    expect(csvField(0.25)).toBe('0.25');
  });

  it("the per-frame CSV carries each row's segment and the face's metrics", () => {
    const rows = parse(toCsv(demo()));
    expect(rows[0]).toEqual(CSV_HEADER);
    const at = (time: string, id: string) => rows.find((r) => r[0] === time && r[1] === id) as string[];
    const col = (name: string) => CSV_HEADER.indexOf(name);
    expect(at('1.000', '1')[col('segment_index')]).toBe('0');
    expect(at('1.000', '1')[col('segment')]).toBe('Start');
    expect(at('1.500', '1')[col('segment_index')]).toBe('1');
    expect(at('1.500', '1')[col('segment')]).toBe('Ad, part 1');
    // valence 0.75, expressiveness 0.75; face 2: valence -0.5, expressiveness 0.5, turned away after the marker
    expect(at('1.500', '1').slice(col('valence'))).toEqual(['0.75', '0.75', '5', '1']);
    expect(at('2.000', '2').slice(col('valence'))).toEqual(['-0.5', '0.5', '50', '0']);
  });

  it('the markers CSV lists each segment with its start, end and duration', () => {
    expect(parse(toMarkersCsv(demo()))).toEqual([
      MARKERS_CSV_HEADER,
      ['0', 'Start', '0.000', '1.500', '1.500'],
      ['1', 'Ad, part 1', '1.500', '3.000', '1.500'],
    ]);
  });

  it('the per-second CSV aggregates across faces, split at the marker', () => {
    const rows = parse(toPerSecondCsv(demo()));
    expect(rows[0]).toEqual(PER_SECOND_CSV_HEADER);
    const col = (name: string) => PER_SECOND_CSV_HEADER.indexOf(name);
    expect(rows.slice(1).map((r) => [r[col('start_s')], r[col('end_s')], r[col('segment_index')], r[col('frames')]])).toEqual([
      ['0.000', '1.000', '0', '2'],
      ['1.000', '1.500', '0', '1'],
      ['1.500', '2.000', '1', '1'],
      ['2.000', '3.000', '1', '2'],
    ]);
    const second = rows[4] as string[];
    // Two faces: valence (0.75 - 0.5) / 2 = 0.125; expressiveness (0.75 + 0.5) / 2 = 0.625; attention 1 of 2 faces.
    expect([second[col('mean_faces')], second[col('valence')], second[col('expressiveness')], second[col('attention')]]).toEqual([
      '2',
      '0.125',
      '0.625',
      '0.5',
    ]);
    // Labels: face 1 happy, face 2 a sad/neutral tie, half a detection to each.
    expect(second[col('share_happy')]).toBe('0.5');
    expect(second[col('share_sad')]).toBe('0.25');
    expect(second[col('share_neutral')]).toBe('0.25');
  });

  it('the JSON carries the metric definitions, their version and the report, and still imports', () => {
    const text = toJson(demo());
    const doc = JSON.parse(text) as SessionDocument;
    expect(doc.metrics.definitions.version).toBe(METRICS_VERSION);
    expect(doc.metrics.definitions.valence).toContain('P(happy)');
    expect(doc.metrics.report.segments.map((s) => s.label)).toEqual(['Start', 'Ad, part 1']);
    expect(doc.metrics.report.overall.attention).toBe(0.75);
    expect(fromJson(text).frames).toEqual(demo().frames);
  });
});
