import { EXPRESSIONS, type Expression } from '@fer/core';
import { describe, expect, it } from 'vitest';
import {
  aggregate,
  analyzeSession,
  audienceSize,
  binFrames,
  expressivenessOf,
  isAttentive,
  keyMoments,
  runningMedian,
  segmentBounds,
  segmentIndexAt,
  topExpressions,
  valenceOf,
  yawFromKeypoints,
  type Keypoint,
} from '../src/lib/audience/metrics';
import { SessionRecorder } from '../src/lib/audience/recorder';
import type { FaceSample, FrameSample } from '../src/lib/audience/session';
import { testSession } from './helpers/sessions';

/** Probabilities from a partial map, EXPRESSIONS order. */
const p = (values: Partial<Record<Expression, number>>) => EXPRESSIONS.map((e) => values[e] ?? 0);
const face = (id: number, probs: number[], yaw?: number): FaceSample => ({
  id,
  box: [id * 100, 0, 80, 80],
  p: probs,
  ...(yaw === undefined ? {} : { yaw }),
});

/**
 * BlazeFace's six keypoints (right eye, left eye, nose tip, mouth, right tragion, left tragion) of a
 * head turned by `yawDeg`, projected orthographically, 100 px to a cm. The head here is NOT the
 * estimator's model: a wider head (bitragion 15.2 cm) with the nose tip 10 cm in front of the
 * tragions, eyes 3.1 cm off the midline and 8 cm forward, so the test checks the method, not its constants.
 */
function turnedHead(yawDeg: number, scale = 100, offsetX = 320): Keypoint[] {
  const points3d: [number, number, number][] = [
    [-3.1, -3, 8],
    [3.1, -3, 8],
    [0, 1, 10],
    [0, 4.5, 8.5],
    [-7.6, 0, 0],
    [7.6, 0, 0],
  ];
  const a = (yawDeg * Math.PI) / 180;
  // Yaw about the vertical axis; positive turns the nose toward the image's right (+x).
  return points3d.map(([x, y, z]) => ({ x: offsetX + scale * (x * Math.cos(a) + z * Math.sin(a)), y: 240 + scale * y }));
}

describe('per face and frame', () => {
  it('valence is P(happy) minus the four negative expressions; neutral and surprise weigh 0', () => {
    expect(valenceOf(p({ happy: 1 }))).toBe(1);
    expect(valenceOf(p({ sad: 1 }))).toBe(-1);
    expect(valenceOf(p({ neutral: 0.5, surprise: 0.5 }))).toBe(0);
    // 0.5 - (0.1 + 0.05 + 0.05 + 0.1) = 0.2
    expect(valenceOf(p({ happy: 0.5, angry: 0.1, disgust: 0.05, fear: 0.05, sad: 0.1, neutral: 0.1, surprise: 0.1 }))).toBeCloseTo(0.2, 10);
  });

  it('expressiveness is 1 - P(neutral)', () => {
    expect(expressivenessOf(p({ neutral: 1 }))).toBe(0);
    expect(expressivenessOf(p({ neutral: 0.25, happy: 0.75 }))).toBe(0.75);
    expect(expressivenessOf(p({ angry: 1 }))).toBe(1);
  });

  it('estimates yaw from the keypoints of turned heads within 6 degrees up to 60', () => {
    for (const yaw of [-60, -45, -30, -20, -10, 0, 10, 20, 30, 45, 60]) {
      const estimate = yawFromKeypoints(turnedHead(yaw)) as number;
      expect(Math.abs(estimate - yaw), `yaw ${yaw}: estimated ${estimate.toFixed(1)}`).toBeLessThan(6);
    }
    // Scale and position in the frame do not matter.
    expect(yawFromKeypoints(turnedHead(20, 12, 900))).toBeCloseTo(yawFromKeypoints(turnedHead(20)) as number, 6);
    expect(yawFromKeypoints(turnedHead(0))).toBe(0);
    expect(yawFromKeypoints(turnedHead(0).slice(0, 4))).toBeUndefined();
  });

  it('attention: a face within 30 degrees of yaw is attentive, a turned one is not, an unknown yaw is unknown', () => {
    const attentive = (yaw: number) => isAttentive({ yaw: yawFromKeypoints(turnedHead(yaw)) });
    expect(attentive(0)).toBe(true);
    expect(attentive(15)).toBe(true);
    expect(attentive(-20)).toBe(true);
    expect(attentive(45)).toBe(false);
    expect(attentive(-60)).toBe(false);
    expect(attentive(90)).toBe(false);
    expect(isAttentive({ yaw: 30 })).toBe(true);
    expect(isAttentive({ yaw: -30.1 })).toBe(false);
    expect(isAttentive({})).toBeUndefined();
  });
});

describe('aggregates', () => {
  const happy = p({ happy: 0.8, neutral: 0.2 });
  const sad = p({ sad: 0.6, neutral: 0.4 });
  const neutral = p({ neutral: 1 });

  it('averages valence and expressiveness over face detections, attention over frames against the audience size', () => {
    const frames: FrameSample[] = [
      { t: 0, faces: [face(1, happy, 0), face(2, sad, 50)] },
      { t: 100, faces: [face(1, happy, 5), face(2, neutral, 10)] },
    ];
    const agg = aggregate(frames, 2);
    // valence: (0.8 - 0.6 + 0.8 + 0) / 4 = 0.25; expressiveness: (0.8 + 0.6 + 0.8 + 0) / 4 = 0.55
    expect(agg.valence).toBe(0.25);
    expect(agg.expressiveness).toBe(0.55);
    // attention: frame 1: 1 of 2 attentive (yaw 50 is turned away); frame 2: 2 of 2 -> mean 0.75
    expect(agg.attention).toBe(0.75);
    expect(agg.faceFrames).toBe(4);
    expect(agg.faces).toBe(2);
    expect(agg.meanFaces).toBe(2);
    // labels: happy, sad, happy, neutral
    expect(agg.shares).toEqual(p({ happy: 0.5, sad: 0.25, neutral: 0.25 }));
  });

  it('a face that left the view lowers attention; frames without yaw leave attention unknown', () => {
    const frames: FrameSample[] = [
      { t: 0, faces: [face(1, happy, 0), face(2, happy, 0)] },
      { t: 100, faces: [face(1, happy, 0)] },
    ];
    expect(aggregate(frames, 2).attention).toBe(0.75);
    expect(aggregate([{ t: 0, faces: [face(1, happy)] }], 1).attention).toBeNull();
    expect(aggregate([{ t: 0, faces: [] }], 2)).toMatchObject({ valence: null, expressiveness: null, attention: 0, meanFaces: 0 });
  });

  it('audience size ignores a face seen in one frame only', () => {
    const f = (n: number, t: number): FrameSample => ({ t, faces: Array.from({ length: n }, (_, i) => face(i + 1, happy, 0)) });
    expect(audienceSize([f(2, 0), f(2, 100), f(5, 200), f(2, 300), f(3, 400), f(3, 500)])).toBe(3);
    expect(audienceSize([])).toBe(0);
    expect(audienceSize([f(4, 0)])).toBe(4);
  });

  it('running median keeps steps and removes one-value blips, edges included', () => {
    expect(runningMedian([0, 0, 9, 0, 0], 3)).toEqual([0, 0, 0, 0, 0]);
    expect(runningMedian([9, 0, 0, 1, 1], 3)).toEqual([0, 0, 0, 1, 1]);
    expect(runningMedian([0, 0, 5, 5, 0], 3)).toEqual([0, 0, 5, 5, 0]);
  });
});

describe('segments and bins', () => {
  it('splits at markers; a marker at 0 names the first segment; every time falls in one segment', () => {
    const bounds = segmentBounds(
      [
        { t: 2500, label: 'Ad' },
        { t: 0, label: 'Intro' },
      ],
      4000,
    );
    expect(bounds).toEqual([
      { index: 0, label: 'Intro', fromMs: 0, toMs: 2500 },
      { index: 1, label: 'Ad', fromMs: 2500, toMs: 4000 },
    ]);
    expect(segmentIndexAt(bounds, 2499.9)).toBe(0);
    expect(segmentIndexAt(bounds, 2500)).toBe(1);
    expect(segmentIndexAt(bounds, 9000)).toBe(1);
    expect(segmentBounds([], 1000)).toEqual([{ index: 0, label: 'Start', fromMs: 0, toMs: 1000 }]);
  });

  it('bins per second, split at a marker inside a second', () => {
    const happy = p({ happy: 1 });
    const sad = p({ sad: 1 });
    const frames: FrameSample[] = [0, 400, 800, 1200, 1600].map((t) => ({ t, faces: [face(1, t < 1500 ? happy : sad, 0)] }));
    const bounds = segmentBounds([{ t: 1500, label: 'B' }], 1600);
    const bins = binFrames(frames, bounds, 1);
    expect(bins.map((b) => [b.fromMs, b.toMs, b.segment, b.frames, b.valence])).toEqual([
      [0, 1000, 0, 3, 1],
      [1000, 1500, 0, 1, 1],
      [1500, 2000, 1, 1, -1],
    ]);
  });
});

describe('key moments', () => {
  const bin = (i: number, valence: number, happyShare = 0) => ({
    fromMs: i * 1000,
    toMs: (i + 1) * 1000,
    segment: 0,
    frames: 1,
    faceFrames: 1,
    faces: 1,
    meanFaces: 1,
    shares: p({ happy: happyShare, neutral: 1 - happyShare }),
    valence,
    expressiveness: happyShare,
    attention: 1,
  });

  it('a one-bin blip is not a key moment; a held peak is, over its whole stretch', () => {
    const bins = [bin(0, 0), bin(1, 0.9), bin(2, 0), bin(3, 0.5), bin(4, 0.5), bin(5, 0.5), bin(6, 0)];
    const high = keyMoments(bins).find((m) => m.metric === 'valence-high');
    expect(high).toEqual({ metric: 'valence-high', value: 0.5, at: [{ fromMs: 3000, toMs: 6000 }] });
  });

  it('two separate stretches at the same value are a tie; an expression never shown has no moment', () => {
    const bins = [bin(0, 0.4, 0.5), bin(1, 0.4, 0.5), bin(2, 0, 0), bin(3, 0, 0), bin(4, 0.4, 0.5), bin(5, 0.4, 0.5)];
    const moments = keyMoments(bins);
    expect(moments.find((m) => m.metric === 'happy')?.at).toEqual([
      { fromMs: 0, toMs: 2000 },
      { fromMs: 4000, toMs: 6000 },
    ]);
    expect(moments.find((m) => m.metric === 'valence-low')).toEqual({ metric: 'valence-low', value: 0, at: [{ fromMs: 2000, toMs: 4000 }] });
    expect(moments.find((m) => m.metric === 'sad')).toBeUndefined();
  });

  it('ties between expressions are reported as ties', () => {
    expect(topExpressions(p({ angry: 0.2885, neutral: 0.2885, happy: 0.2 }))).toEqual(['angry', 'neutral']);
    expect(topExpressions(p({}))).toEqual([]);
  });
});

describe('analyzeSession', () => {
  it('gives overall, per-segment and per-face numbers computed by hand', () => {
    const happy = p({ happy: 0.9, neutral: 0.1 });
    const angry = p({ angry: 0.5, neutral: 0.5 });
    // Two faces, 4 s at 2 frames/s; a marker at 2 s. Face 1 is happy throughout and faces the camera;
    // face 2 ties angry and neutral (half a detection to each) and turns away in the second half.
    const frames: FrameSample[] = [0, 500, 1000, 1500, 2000, 2500, 3000, 3500].map((t) => ({
      t,
      faces: [face(1, happy, 0), face(2, angry, t < 2000 ? 10 : 60)],
    }));
    const report = analyzeSession(testSession(frames, { markers: [{ t: 2000, label: 'Ad' }], durationMs: 4000 }));
    expect(report.audienceSize).toBe(2);
    // valence: (0.9 + -0.5) / 2 = 0.2 everywhere
    expect(report.overall.valence).toBe(0.2);
    // expressiveness: (0.9 + 0.5) / 2 = 0.7
    expect(report.overall.expressiveness).toBe(0.7);
    expect(report.overall.attention).toBe(0.75);
    expect(report.overall.shares).toEqual(p({ happy: 0.5, angry: 0.25, neutral: 0.25 }));
    expect(report.overall.top).toEqual(['happy']);
    expect(report.segments.map((s) => [s.label, s.durationMs, s.frames, s.faces, s.attention])).toEqual([
      ['Start', 2000, 4, 2, 1],
      ['Ad', 2000, 4, 2, 0.5],
    ]);
    expect(report.bins).toHaveLength(4);
    expect(report.faces.map((f) => [f.id, f.valence, f.attention, f.top])).toEqual([
      [1, 0.9, 1, ['happy']],
      [2, -0.5, 0.5, ['angry', 'neutral']],
    ]);
    // Constant valence: the whole session ties for its peak, one stretch per segment's bins.
    expect(report.moments.find((m) => m.metric === 'valence-high')?.at).toEqual([{ fromMs: 0, toMs: 4000 }]);
  });
});

describe('recording', () => {
  it("keeps each face's yaw from its keypoints (0.1 degree), and none without keypoints", () => {
    const sink = { saveMeta: () => Promise.resolve(), saveChunk: () => Promise.resolve() };
    const recorder = new SessionRecorder({ id: 'r', name: 'R', source: 'camera', createdAt: 0, width: 640, height: 480 }, sink);
    const box = { x: 0, y: 0, width: 80, height: 80 };
    recorder.record(0, [
      { id: 1, box, probabilities: p({ neutral: 1 }), keypoints: turnedHead(40) },
      { id: 2, box, probabilities: p({ neutral: 1 }) },
    ]);
    const [first, second] = recorder.session.frames[0]!.faces;
    expect(first!.yaw).toBe(Math.round((yawFromKeypoints(turnedHead(40)) as number) * 10) / 10);
    expect(isAttentive(first!)).toBe(false);
    expect(second).not.toHaveProperty('yaw');
  });
});
