import { EXPRESSIONS, type Expression } from '@fer/core';
import { describe, expect, it } from 'vitest';
import { PauseGate } from '../src/lib/audience/capture';
import { fileStem } from '../src/lib/audience/download';
import { CSV_HEADER, fromJson, ImportError, toCsv, toJson } from '../src/lib/audience/exportFormats';
import { ActiveClock, SessionRecorder, type RecordedFace, type SessionSink } from '../src/lib/audience/recorder';
import { labelOf, type FrameSample, type SessionMeta } from '../src/lib/audience/session';
import { describeStorageError, isQuotaError } from '../src/lib/audience/store';
import { faceTimelines, segments, sharesOverTime, summarize } from '../src/lib/audience/summary';

/** Probabilities with `p` on `name`, the rest spread evenly. */
const probs = (name: Expression, p = 0.7) => EXPRESSIONS.map((e) => (e === name ? p : (1 - p) / (EXPRESSIONS.length - 1)));
const face = (id: number, name: Expression, x = id * 100): RecordedFace => ({
  id,
  box: { x, y: 10, width: 80, height: 80 },
  probabilities: probs(name),
});

/** A sink in memory that can be made to fail like a full quota. */
class MemorySink implements SessionSink {
  metas: SessionMeta[] = [];
  chunks = new Map<number, FrameSample[]>();
  full = false;
  saveMeta(meta: SessionMeta): Promise<void> {
    if (this.full) return Promise.reject(new DOMException('quota', 'QuotaExceededError'));
    this.metas.push(meta);
    return Promise.resolve();
  }
  saveChunk(_id: string, index: number, frames: FrameSample[]): Promise<void> {
    if (this.full) return Promise.reject(new DOMException('quota', 'QuotaExceededError'));
    this.chunks.set(index, frames);
    return Promise.resolve();
  }
  frames(): FrameSample[] {
    return [...this.chunks.entries()].sort((a, b) => a[0] - b[0]).flatMap(([, f]) => f);
  }
}

const meta = { id: 's1', name: 'Test', source: 'camera' as const, createdAt: 0, width: 640, height: 480 };

describe('SessionRecorder', () => {
  it('keeps a frame by the state it was captured in, not the state its analysis ends in', async () => {
    const recorder = new SessionRecorder(meta, new MemorySink());
    const capturedRecording = recorder.state;
    recorder.pause();
    const capturedPaused = recorder.state;
    recorder.record(100, [face(1, 'happy')], capturedRecording);
    recorder.resume();
    recorder.record(150, [face(1, 'sad')], capturedPaused);
    await recorder.stop();
    recorder.record(200, [face(1, 'happy')], capturedRecording);
    expect(recorder.session.frames.map((f) => f.t)).toEqual([100]);
  });

  it('records frames only while recording, saves them in ordered chunks, and the metadata last', async () => {
    const sink = new MemorySink();
    const recorder = new SessionRecorder(meta, sink, 2);
    recorder.record(0, [face(1, 'happy'), face(2, 'sad')]);
    recorder.record(100, [face(1, 'happy')]);
    recorder.pause();
    recorder.record(150, [face(1, 'angry')]);
    recorder.resume();
    recorder.record(200, []);
    recorder.mark('punch line');
    await recorder.stop();
    expect(recorder.session.frames.map((f) => f.t)).toEqual([0, 100, 200]);
    expect(sink.frames()).toEqual(recorder.session.frames);
    const last = sink.metas.at(-1);
    expect(last?.state).toBe('stopped');
    expect(last?.frameCount).toBe(3);
    expect(last?.markers).toEqual([{ t: 200, label: 'punch line' }]);
    expect(recorder.session.frames[0]?.faces[1]?.box).toEqual([200, 10, 80, 80]);
  });

  it('keeps every frame when storage is full, says so, and saves them all once there is room', async () => {
    const sink = new MemorySink();
    const recorder = new SessionRecorder(meta, sink, 2);
    sink.full = true;
    for (let t = 0; t < 5; t++) recorder.record(t * 100, [face(1, 'happy')]);
    await recorder.flush();
    expect(isQuotaError(recorder.storageError)).toBe(true);
    expect(describeStorageError(recorder.storageError).full).toBe(true);
    expect(recorder.unsavedFrames).toBe(5);
    expect(recorder.session.frames).toHaveLength(5);
    sink.full = false;
    await recorder.stop();
    expect(recorder.storageError).toBeUndefined();
    expect(sink.frames().map((f) => f.t)).toEqual([0, 100, 200, 300, 400]);
  });
});

describe('ActiveClock', () => {
  it('counts time since start without the pauses', () => {
    const clock = new ActiveClock();
    clock.start(1000);
    expect(clock.at(1500)).toBe(500);
    clock.pause(1600);
    expect(clock.at(5000)).toBe(600);
    clock.resume(6000);
    expect(clock.at(6100)).toBe(700);
  });
});

/** Three seconds: two faces happy, then a marker, then both surprised; one frame with nobody. */
function demoSession() {
  const recorder = new SessionRecorder(meta, new MemorySink());
  for (let t = 0; t < 1500; t += 100) recorder.record(t, [face(1, 'happy'), face(2, 'happy')]);
  recorder.mark('ad starts', 1500);
  for (let t = 1500; t < 3000; t += 100) recorder.record(t, t === 2000 ? [] : [face(1, 'surprise'), face(2, t < 2500 ? 'surprise' : 'neutral')]);
  return recorder.session;
}

describe('summary', () => {
  it('splits the session at markers with the shares and dominant expression of each part', () => {
    const session = demoSession();
    const [before, after] = segments(session.frames, session.meta.markers, session.meta.durationMs);
    expect(before).toMatchObject({ label: 'start', fromMs: 0, toMs: 1500, frames: 15, dominant: 'happy' });
    expect(before?.shares[EXPRESSIONS.indexOf('happy')]).toBe(1);
    expect(after).toMatchObject({ label: 'ad starts', fromMs: 1500, frames: 15, dominant: 'surprise' });
    // 14 frames with faces: face 1 surprised in all; face 2 in 4 (1500..2400 less 2000) then neutral in 5.
    expect(after?.shares[EXPRESSIONS.indexOf('surprise')]).toBeCloseTo((14 + 9) / 28, 4);
  });

  it('bins the reaction curve, follows each face, and finds peak moments', () => {
    const session = demoSession();
    const series = sharesOverTime(session.frames, 1000);
    expect(series.t).toEqual([0, 1, 2]);
    expect(series.faces[0]).toBe(2);
    expect(series.faces[2]).toBeCloseTo(18 / 10);
    const lines = faceTimelines(session.frames);
    expect(lines.map((l) => l.id)).toEqual([1, 2]);
    expect(lines[0]?.t).toHaveLength(29);
    const summary = summarize(session);
    expect(summary).toMatchObject({ frames: 30, faces: 2, maxFacesInFrame: 2 });
    const peakOf = (e: Expression) => summary.peaks.find((p) => p.expression === e);
    expect(peakOf('happy')).toEqual({ expression: 'happy', atMs: 0, share: 1 });
    expect(peakOf('neutral')?.atMs).toBe(2000);
    expect(peakOf('fear')).toBeUndefined();
  });

  it('has nothing dominant in an empty session', () => {
    const session = new SessionRecorder(meta, new MemorySink()).session;
    expect(summarize(session)).toMatchObject({ frames: 0, faces: 0, dominant: undefined, peaks: [] });
  });
});

describe('export and import', () => {
  it('writes one CSV row per face per frame, and one empty row for a frame with nobody', () => {
    const session = demoSession();
    const rows = toCsv(session)
      .trimEnd()
      .split('\n')
      .map((r) => r.split(','));
    expect(rows[0]).toEqual(CSV_HEADER);
    expect(rows).toHaveLength(1 + 29 * 2 + 1);
    const first = rows[1] as string[];
    expect(first.slice(0, 7)).toEqual(['0.000', '1', '100', '10', '80', '80', 'happy']);
    expect(first.slice(7, 14).map(Number)).toEqual(probs('happy').map((p) => Math.round(p * 1e4) / 1e4));
    expect(
      rows
        .find((r) => r[0] === '2.000')
        ?.slice(1, 14)
        .every((c) => c === ''),
    ).toBe(true);
  });

  it('round-trips a session through JSON, with the summary in it', () => {
    const session = demoSession();
    const text = toJson(session);
    const doc = JSON.parse(text) as { summary: { dominant: string; segments: unknown[] } };
    expect(doc.summary.segments).toHaveLength(2);
    expect(doc.summary.dominant).toBe(labelOf(summarize(session).shares));
    const back = fromJson(text);
    expect(back.frames).toEqual(session.frames);
    expect(back.meta).toEqual({ ...session.meta, state: 'stopped' });
  });

  it('refuses what it did not export, saying why', () => {
    expect(() => fromJson('not json')).toThrow(ImportError);
    expect(() => fromJson('{"format":"other"}')).toThrow(/not a session exported by this app/);
    const doc = JSON.parse(toJson(demoSession())) as { frames: { faces: { p: number[] }[] }[] };
    (doc.frames[0]?.faces[0] as { p: number[] }).p = [1, 2];
    expect(() => fromJson(JSON.stringify(doc))).toThrow(/frames\.0\.faces\.0\.p/);
  });
});

describe('PauseGate', () => {
  it('lets a loop through while running and holds it while paused', async () => {
    const gate = new PauseGate();
    await gate.whenRunning();
    gate.pause();
    let released = false;
    const waiting = gate.whenRunning().then(() => (released = true));
    await Promise.resolve();
    expect(released).toBe(false);
    gate.resume();
    await waiting;
    expect(released).toBe(true);
    expect(gate.paused).toBe(false);
  });
});

describe('fileStem', () => {
  it('keeps a session name readable and safe as a file name', () => {
    expect(fileStem('Spring ad: group A/B')).toBe('Spring-ad-group-A-B');
    expect(fileStem('***')).toBe('session');
  });
});
