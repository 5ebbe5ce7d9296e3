/**
 * The page's side of the report worker (report.worker.ts): hands it the session on screen as it
 * grows and calls back with each new report. It never waits: an update asked for while the worker
 * is busy is folded into the next one (the latest session wins), so a long session costs the main
 * thread only the frames it appended.
 */
import { fromPlainWire, RpcClient } from '../../analysis/rpc';
import type { Session } from '../session';
import type { ReportApi, ReportData } from './reportData';

/** The app's report worker, as vite builds it (it needs this exact `new Worker(new URL(...))` form). */
function defaultWorker(): Worker {
  return new Worker(new URL('./report.worker.ts', import.meta.url), { type: 'module', name: 'report' });
}

export interface ReportClientOptions {
  /** Called with each report, unless another session was asked for since (its report follows). */
  onreport: (data: ReportData) => void;
  /** Called when the worker failed to compute a report. */
  onerror: (error: Error) => void;
  /** For tests and pages not built by vite. */
  createWorker?: () => Worker;
}

export class ReportClient {
  /** The session whose frames the worker holds, and how many of them. */
  private sent: { id: string; frames: number } | undefined;
  private inFlight = false;
  private waiting: Session | undefined;
  /** The revision of the latest update asked for: a report with it is of the session as it is now. */
  revision = 0;

  private constructor(
    private readonly worker: Worker,
    private readonly rpc: RpcClient<ReportApi>,
    private readonly options: ReportClientOptions,
  ) {}

  static create(options: ReportClientOptions): ReportClient {
    const worker = (options.createWorker ?? defaultWorker)();
    const rpc = new RpcClient<ReportApi>(worker, fromPlainWire);
    worker.addEventListener('error', (event) => rpc.failPending(new Error(`the report worker failed: ${event.message}`)));
    return new ReportClient(worker, rpc, options);
  }

  /** Asks for the report of `session` as it is now (read when the worker is free, so a growing session is sent once). */
  update(session: Session): void {
    this.revision++;
    this.waiting = session;
    if (!this.inFlight) this.sendWaiting();
  }

  /** Stops the worker; no report is delivered after this. */
  terminate(): void {
    this.waiting = undefined;
    this.worker.terminate();
    this.rpc.failPending(new Error('the report worker was stopped'));
  }

  private sendWaiting(): void {
    const session = this.waiting;
    this.waiting = undefined;
    if (session === undefined) return;
    const { meta, frames } = session;
    const from = this.sent?.id === meta.id && this.sent.frames <= frames.length ? this.sent.frames : 0;
    this.sent = { id: meta.id, frames: frames.length };
    this.inFlight = true;
    this.rpc
      .call('analyse', { revision: this.revision, meta, from, frames: frames.slice(from) })
      .then(
        (data) => {
          // Another session waiting makes this report stale (its own follows at once); the same one grown is only newer.
          if (this.waiting === undefined || this.waiting.meta.id === data.sessionId) this.options.onreport(data);
        },
        (error: unknown) => {
          this.sent = undefined;
          this.options.onerror(error instanceof Error ? error : new Error(String(error)));
        },
      )
      .finally(() => {
        this.inFlight = false;
        this.sendWaiting();
      });
  }
}
