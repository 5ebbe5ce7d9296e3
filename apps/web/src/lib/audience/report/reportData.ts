/**
 * Everything the report of one session draws, computed from its frames in one place: the
 * metrics (metrics.ts) and the first faces' timelines. It runs in the report worker
 * (report.worker.ts), since it reads every frame of the session.
 */
import { analyzeSession, type AudienceReport } from '../metrics';
import type { FrameSample, Session } from '../session';
import { faceTimelines, type FaceTimeline } from '../summary';

/** Faces with a small chart at most; a bigger audience still counts in every number. */
export const MAX_FACE_CHARTS = 24;

/** Points per face chart at most: about one per pixel of a small chart, where a long session has many more frames. */
export const MAX_TIMELINE_POINTS = 400;

export interface ReportData {
  /** The session it was computed for. */
  sessionId: string;
  /** The update it answers (see ReportUpdate); 0 when computed directly. */
  revision: number;
  report: AudienceReport;
  /** Per-face timelines of the first {@link MAX_FACE_CHARTS} faces, in order of first appearance, thinned (see thinTimeline). */
  faceLines: FaceTimeline[];
}

export function reportData(session: Session, revision = 0): ReportData {
  return {
    sessionId: session.meta.id,
    revision,
    report: analyzeSession(session),
    faceLines: faceTimelines(session.frames)
      .slice(0, MAX_FACE_CHARTS)
      .map((line) => thinTimeline(line, MAX_TIMELINE_POINTS)),
  };
}

/**
 * A face's timeline with at most `maxPoints` points: beyond that, its frames are averaged over
 * equal stretches of time (stretches it was not seen in are left out). Shorter timelines are kept as they are.
 */
export function thinTimeline(line: FaceTimeline, maxPoints: number): FaceTimeline {
  const n = line.t.length;
  if (n <= maxPoints) return line;
  const first = line.t[0] as number;
  const span = (line.t[n - 1] as number) - first || 1;
  const sums = Array.from({ length: maxPoints }, () => ({ n: 0, t: 0, p: line.p.map(() => 0) }));
  line.t.forEach((t, i) => {
    const sum = sums[Math.min(maxPoints - 1, Math.floor(((t - first) / span) * maxPoints))] as (typeof sums)[number];
    sum.n++;
    sum.t += t;
    line.p.forEach((values, k) => (sum.p[k] = (sum.p[k] as number) + (values[i] as number)));
  });
  const seen = sums.filter((sum) => sum.n > 0);
  return { id: line.id, t: seen.map((sum) => sum.t / sum.n), p: line.p.map((_, k) => seen.map((sum) => (sum.p[k] as number) / sum.n)) };
}

/** The frames sent since the last update: a session grows by appending, so only its new frames cross to the worker. */
export interface ReportUpdate {
  /** Counts the page's updates, so it can tell whether a report is of the session as it is now. */
  revision: number;
  meta: Session['meta'];
  /** Index of the first frame in `frames`; 0 sends the whole session again. */
  from: number;
  frames: FrameSample[];
}

/**
 * The worker's copy of the session shown: updated with the frames appended since the last update.
 * It keeps one session (the one on screen).
 */
export class SessionMirror {
  private session: Session | undefined;

  apply({ meta, from, frames }: ReportUpdate): Session {
    if (from === 0 || this.session?.meta.id !== meta.id) {
      if (from !== 0) throw new Error(`report worker: session ${meta.id} is not here to extend from frame ${from}`);
      this.session = { meta, frames: [] };
    }
    const session = this.session;
    if (from > session.frames.length)
      throw new Error(`report worker: frame ${from} of session ${meta.id} follows a gap (have ${session.frames.length})`);
    session.frames.length = from;
    for (const frame of frames) session.frames.push(frame);
    session.meta = meta;
    return session;
  }
}

/** The report worker's methods (see rpc.ts). */
export interface ReportApi {
  [method: string]: (arg: never) => Promise<unknown>;
  analyse(update: ReportUpdate): Promise<ReportData>;
}

/** What the report worker serves: the report of its mirror of the session, after each update. */
export function createReportApi(): ReportApi {
  const mirror = new SessionMirror();
  return { analyse: (update) => Promise.resolve(reportData(mirror.apply(update), update.revision)) };
}
