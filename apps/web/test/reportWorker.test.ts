import { EXPRESSIONS } from '@fer/core';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { serve, toPlainWire } from '../src/lib/analysis/rpc';
import { analyzeSession } from '../src/lib/audience/metrics';
import { ReportClient } from '../src/lib/audience/report/reportClient';
import {
  createReportApi,
  reportData,
  SessionMirror,
  thinTimeline,
  type ReportApi,
  type ReportData,
  type ReportUpdate,
} from '../src/lib/audience/report/reportData';
import type { FrameSample, Session } from '../src/lib/audience/session';
import { testSession } from './helpers/sessions';

const frame = (t: number, faces = 2): FrameSample => ({
  t,
  faces: Array.from({ length: faces }, (_, id) => ({
    id,
    box: [id * 100, 10, 80, 80],
    p: EXPRESSIONS.map((_, k) => (k === (t / 100 + id) % EXPRESSIONS.length ? 0.7 : 0.05)),
  })),
});

function session(id: string, frames: number): Session {
  return testSession(
    Array.from({ length: frames }, (_, i) => frame(i * 100)),
    { id, state: 'recording' },
  );
}

/** Grows `s` in place by `n` frames, as the recorder does. */
function grow(s: Session, n: number): void {
  for (let i = 0; i < n; i++) s.frames.push(frame(s.frames.length * 100));
  s.meta.durationMs = (s.frames.length - 1) * 100;
  s.meta.frameCount = s.frames.length;
}

describe('thinTimeline', () => {
  const line = (frames: number) => ({
    id: 3,
    t: Array.from({ length: frames }, (_, i) => i / 5),
    p: EXPRESSIONS.map((_, k) => Array.from({ length: frames }, (_, i) => ((i + k) % EXPRESSIONS.length === 0 ? 0.7 : 0.05))),
  });
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

  it('keeps a short timeline as it is', () => {
    const short = line(40);
    expect(thinTimeline(short, 40)).toBe(short);
  });

  it('averages a long one over equal stretches of time: fewer points, the same means, probabilities still summing to 1', () => {
    const long = line(1400);
    const thin = thinTimeline(long, 200);
    expect(thin.t).toHaveLength(200);
    expect(thin.t.every((t, i) => i === 0 || t > (thin.t[i - 1] as number))).toBe(true);
    thin.p.forEach((values, k) => expect(mean(values)).toBeCloseTo(mean(long.p[k] as number[]), 6));
    thin.t.forEach((_, i) => expect(thin.p.reduce((sum, values) => sum + (values[i] as number), 0)).toBeCloseTo(1, 9));
  });
});

describe('SessionMirror', () => {
  it('takes a whole session, then only the frames appended to it', () => {
    const mirror = new SessionMirror();
    const s = session('a', 3);
    expect(mirror.apply({ revision: 1, meta: s.meta, from: 0, frames: s.frames }).frames).toHaveLength(3);
    grow(s, 2);
    const copy = mirror.apply({ revision: 2, meta: s.meta, from: 3, frames: s.frames.slice(3) });
    expect(copy.frames).toEqual(s.frames);
    expect(mirror.apply({ revision: 3, meta: s.meta, from: 0, frames: s.frames.slice(0, 1) }).frames).toHaveLength(1);
  });

  it('refuses to extend a session it does not hold, or across a gap', () => {
    const mirror = new SessionMirror();
    const a = session('a', 3);
    expect(() => mirror.apply({ revision: 1, meta: a.meta, from: 2, frames: [] })).toThrow(/not here/);
    mirror.apply({ revision: 1, meta: a.meta, from: 0, frames: a.frames });
    expect(() => mirror.apply({ revision: 2, meta: a.meta, from: 5, frames: [] })).toThrow(/gap/);
    expect(() => mirror.apply({ revision: 3, meta: session('b', 1).meta, from: 1, frames: [] })).toThrow(/not here/);
  });
});

/**
 * A ReportClient talking to the report worker's API served on the other end of a channel (the
 * worker's code, without a worker thread), with what it sent, reported and failed with.
 */
function startClient(api: ReportApi = createReportApi()) {
  const { port1, port2 } = new MessageChannel();
  serve(api, port2 as never, toPlainWire);
  port2.start();
  port1.start();
  open.push(port1, port2);
  const sent: ReportUpdate[] = [];
  const worker = {
    postMessage(message: { arg: ReportUpdate }) {
      sent.push(structuredClone(message.arg));
      port1.postMessage(message);
    },
    addEventListener: (type: 'message' | 'error', listener: (event: MessageEvent) => void) => port1.addEventListener(type, listener as never),
    terminate: () => port1.close(),
  } as unknown as Worker;
  const reports: ReportData[] = [];
  const errors: Error[] = [];
  const client = ReportClient.create({ onreport: (data) => reports.push(data), onerror: (e) => errors.push(e), createWorker: () => worker });
  return { client, sent, reports, errors };
}

const open: MessagePort[] = [];

describe('ReportClient', () => {
  afterEach(() => open.splice(0).forEach((port) => port.close()));

  it('reports a growing session as computed directly, sending each frame once', async () => {
    const { client, sent, reports, errors } = startClient();
    const s = session('a', 20);
    client.update(s);
    await expect.poll(() => reports.length).toBe(1);
    grow(s, 5);
    s.meta.markers.push({ t: 1000, label: 'ad' });
    client.update(s);
    await expect.poll(() => reports.length).toBe(2);

    expect(sent.map((u) => [u.from, u.frames.length])).toEqual([
      [0, 20],
      [20, 5],
    ]);
    expect(reports[1]).toEqual(reportData(s, client.revision));
    expect(reports[1]?.report).toEqual(analyzeSession(s));
    expect(reports[1]?.report.segments).toHaveLength(2);
    expect(errors).toEqual([]);
  });

  it('folds updates asked for while busy into one, and never reports a session no longer asked for', async () => {
    const { client, sent, reports, errors } = startClient();
    const a = session('a', 10);
    client.update(a);
    client.update(session('b', 4));
    const c = session('c', 6);
    client.update(c);
    await expect.poll(() => reports.at(-1)?.sessionId).toBe('c');
    // 'a' was in flight when 'c' was asked for: its report is dropped; 'b' was never sent.
    expect(sent.map((u) => u.meta.id)).toEqual(['a', 'c']);
    expect(reports.map((r) => r.sessionId)).toEqual(['c']);
    expect(reports[0]?.revision).toBe(client.revision);
    expect(reports[0]?.report.overall.frames).toBe(6);
    expect(errors).toEqual([]);
  });

  it('sends a session whole when its frames were replaced, and after the worker failed', async () => {
    let failing = false;
    const api = createReportApi();
    const { client, sent, reports, errors } = startClient({
      analyse: (update: ReportUpdate) => (failing ? Promise.reject(new RangeError('out of memory')) : api.analyse(update)),
    });
    client.update(session('a', 5));
    await expect.poll(() => reports.length).toBe(1);
    client.update(session('a', 3)); // the same id with fewer frames: another array
    await expect.poll(() => reports.length).toBe(2);
    failing = true;
    const s = session('a', 4);
    client.update(s);
    await expect.poll(() => errors.length).toBe(1);
    expect(errors[0]).toMatchObject({ name: 'RangeError', message: 'out of memory' });
    failing = false;
    grow(s, 1);
    client.update(s);
    await expect.poll(() => reports.length).toBe(3);
    expect(sent.map((u) => u.from)).toEqual([0, 0, 3, 0]);
    expect(reports[2]).toEqual(reportData(s, client.revision));
  });
});
