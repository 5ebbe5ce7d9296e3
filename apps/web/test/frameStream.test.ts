import { describe, expect, it, vi } from 'vitest';
import { FrameStream } from '../src/lib/analysis/analysisClient';
import type { AnalysisApi } from '../src/lib/analysis/protocol';
import { RpcClient } from '../src/lib/analysis/rpc';
import type { LiveFrame } from '../src/lib/pipeline/liveAnalyzer';

/** A worker stand-in: records the frames sent to it and answers them when told. */
function fakeWorker() {
  const sent: { id: number; nowMs: number }[] = [];
  let listener: ((event: MessageEvent) => void) | undefined;
  const port = {
    postMessage(message: unknown) {
      const { id, arg } = message as { id: number; arg: { nowMs: number } };
      sent.push({ id, nowMs: arg.nowMs });
    },
    addEventListener(_type: 'message', l: (event: MessageEvent) => void) {
      listener = l;
    },
  };
  const answer = (index: number, value: LiveFrame) => listener?.({ data: { id: sent[index]?.id, ok: true, value } } as MessageEvent);
  return { port, sent, answer };
}

/** A stand-in bitmap and its close() spy. */
function fakeBitmap(): [ImageBitmap, () => void] {
  const close = vi.fn();
  return [{ close } as unknown as ImageBitmap, close];
}
const bitmap = () => fakeBitmap()[0];
const frame = (fps: number): LiveFrame => ({ faces: [], perf: { fps, ms: { detect: 0, classify: 0, saliency: 0 } }, saliencyProblem: undefined });
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('FrameStream', () => {
  it('sends a frame at once, keeps only the latest while the worker is busy, and never blocks the caller', async () => {
    const worker = fakeWorker();
    const stream = new FrameStream(new RpcClient<AnalysisApi>(worker.port, (e) => new Error(e.message)), 's', Promise.resolve(), () => {});
    const results: number[] = [];
    const [b1, b2, b3] = [bitmap(), fakeBitmap(), bitmap()];
    stream.submit(b1, 1, false, (r) => results.push(r.perf.fps));
    await settle();
    stream.submit(b2[0], 2, false, (r) => results.push(r.perf.fps));
    stream.submit(b3, 3, false, (r) => results.push(r.perf.fps));
    expect(worker.sent.map((s) => s.nowMs)).toEqual([1]);
    expect(b2[1]).toHaveBeenCalled(); // dropped for the newer frame
    expect(stream.busy).toBe(true);

    worker.answer(0, frame(1));
    await settle();
    expect(results).toEqual([1]);
    expect(worker.sent.map((s) => s.nowMs)).toEqual([1, 3]);
    worker.answer(1, frame(3));
    await settle();
    expect(results).toEqual([1, 3]);
    expect(stream.busy).toBe(false);
  });

  it('drops the result of a frame sent before reset', async () => {
    const worker = fakeWorker();
    const stream = new FrameStream(new RpcClient<AnalysisApi>(worker.port, (e) => new Error(e.message)), 's', Promise.resolve(), () => {});
    const results: number[] = [];
    stream.submit(bitmap(), 1, false, (r) => results.push(r.perf.fps));
    await settle();
    stream.reset();
    worker.answer(0, frame(1));
    await settle();
    expect(results).toEqual([]);
  });
});
