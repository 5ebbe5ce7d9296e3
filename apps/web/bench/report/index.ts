/**
 * Bench module "report": what a redraw of the live audience report costs, in Node on this CPU.
 * The report reads every frame of the session (reportData.ts), so its cost grows with the
 * session; since it runs in the report worker, the page pays only for handing over the frames
 * appended since the last redraw (reportClient.ts: a slice, structured-cloned by postMessage).
 * Sessions are synthetic: eight faces at 5 analysed frames/s (audience mode's target rate), with
 * probabilities and head yaws from a seeded generator.
 */
import { EXPRESSIONS } from '@fer/core';
import { reportData } from '../../src/lib/audience/report/reportData';
import type { FrameSample, Session } from '../../src/lib/audience/session';
import { prng } from '../../test/helpers/prng';
import { testSession } from '../../test/helpers/sessions';
import type { BenchModule } from '../types';

const FACES = 8;
const FPS = 5;
/** The live report redraws at most this often (AudienceController's default). */
const REDRAW_MS = 500;
const SESSION_MINUTES = [1, 10, 30];
const REPEATS = 5;

export interface ReportBenchRow {
  minutes: number;
  frames: number;
  /** Median ms to compute the whole report (in the worker now; on the main thread before it). */
  reportMs: number;
  /** Median ms to clone the frames of one redraw interval, what the page pays per redraw now. */
  handOverMs: number;
}

export interface ReportBenchResult {
  faces: number;
  fps: number;
  redrawMs: number;
  rows: ReportBenchRow[];
}

function syntheticSession(minutes: number): Session {
  const next = prng(minutes);
  const frames: FrameSample[] = [];
  for (let i = 0; i < minutes * 60 * FPS; i++) {
    frames.push({
      t: (i * 1000) / FPS,
      faces: Array.from({ length: FACES }, (_, id) => {
        const raw = EXPRESSIONS.map(() => next());
        const sum = raw.reduce((a, b) => a + b, 0);
        return { id, box: [id * 150, 200, 90, 90], p: raw.map((v) => v / sum), yaw: next() * 60 - 30 };
      }),
    });
  }
  const markers = [{ t: (frames.at(-1)?.t ?? 0) / 3, label: 'ad starts' }];
  return testSession(frames, { id: `bench-${minutes}`, width: 1280, height: 720, markers, state: 'recording' });
}

function medianMs(run: () => unknown): number {
  const times: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const start = performance.now();
    run();
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b)[Math.floor(REPEATS / 2)] as number;
}

export const reportBench: BenchModule<ReportBenchResult> = {
  name: 'report',
  description: 'cost of a live audience report redraw: the whole report (report worker) against the frames handed over (page)',

  skipReason: () => undefined,

  run({ log }) {
    const rows = SESSION_MINUTES.map((minutes): ReportBenchRow => {
      log(`report: a ${minutes}-minute session`);
      const session = syntheticSession(minutes);
      const perRedraw = Math.round((REDRAW_MS / 1000) * FPS);
      return {
        minutes,
        frames: session.frames.length,
        reportMs: medianMs(() => reportData(session)),
        handOverMs: medianMs(() => structuredClone(session.frames.slice(-perRedraw))),
      };
    });
    return Promise.resolve({ faces: FACES, fps: FPS, redrawMs: REDRAW_MS, rows });
  },

  markdown(r) {
    return [
      `Synthetic sessions, ${r.faces} faces at ${r.fps} analysed frames/s, a redraw every ${r.redrawMs} ms; median of ${REPEATS} (Node, this CPU)`,
      '',
      '| session | frames | whole report (report worker) | frames handed over per redraw (page) |',
      '| --- | --- | --- | --- |',
      ...r.rows.map((row) => `| ${row.minutes} min | ${row.frames} | ${row.reportMs.toFixed(1)} ms | ${row.handOverMs.toFixed(3)} ms |`),
    ].join('\n');
  },
};
