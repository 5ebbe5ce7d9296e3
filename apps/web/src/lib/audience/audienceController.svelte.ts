import { downloadText, fileStem } from './download';
import { readSessionFile, toCsv, toJson } from './exportFormats';
import type { SessionRecorder, SessionSink } from './recorder';
import { newSessionId, type Session, type SessionMeta } from './session';
import { describeStorageError, SessionStore } from './store';
import { summarize } from './summary';
import { analyzeSession } from './metrics';
import { toMarkersCsv, toPerSecondCsv } from './reportExports';

/** A message above the session: what just happened, or why something did not. */
export interface AudienceNotice {
  /** data-state of the card, for tests and styling. */
  state: string;
  tone: 'info' | 'problem';
  title: string;
  detail: string;
}

export interface AudienceControllerOptions {
  /** How often a growing session is handed to the charts at most, in ms. Default 500: enough to watch, cheap on a phone. */
  redrawMs?: number;
  /** Asked before a saved session is deleted; default: the browser's confirm dialog. */
  confirmDelete?: (meta: SessionMeta) => boolean;
}

/** Saves nothing; stands in until the store is open. */
const NO_SINK: SessionSink = { saveMeta: () => Promise.resolve(), saveChunk: () => Promise.resolve() };

/**
 * Audience mode's state and actions, apart from its page: the sessions saved in this browser, the
 * session shown (live while one records), notices and storage problems, import and export. The
 * recording views (AudienceCamera, AudienceFile) report to `onchange` and `onfinish`.
 *
 * The recorder grows its session in place; `shown` is replaced by a fresh snapshot object (the same
 * frames, at most every `redrawMs`), so whatever is derived from it (summary, charts) reruns.
 */
export class AudienceController {
  sessions = $state.raw<SessionMeta[]>([]);
  shown = $state.raw<Session | undefined>();
  recording = $state(false);
  storageProblem = $state<string | undefined>();
  notice = $state.raw<AudienceNotice | undefined>();
  /** Where recordings are saved: the store once open, else a sink whose saves fail with the reason. */
  sink = $state.raw<SessionSink>(NO_SINK);
  readonly summary = $derived(this.shown === undefined ? undefined : summarize(this.shown));
  /** The report's metrics (metrics.ts) of the shown session. */
  readonly report = $derived(this.shown === undefined ? undefined : analyzeSession(this.shown));

  private store: SessionStore | undefined;
  private lastRedraw = Number.NEGATIVE_INFINITY;
  private readonly redrawMs: number;
  private readonly confirmDelete: (meta: SessionMeta) => boolean;

  private constructor(options: AudienceControllerOptions) {
    this.redrawMs = options.redrawMs ?? 500;
    this.confirmDelete = options.confirmDelete ?? ((meta) => confirm(`Delete “${meta.name}”? This can’t be undone.`));
  }

  /** A controller without storage yet: call `openStore` in the browser (the page is also prerendered). */
  static create(options: AudienceControllerOptions = {}): AudienceController {
    return new AudienceController(options);
  }

  /** Opens the browser's session store and lists its sessions; without it, sessions are recorded but not kept. */
  async openStore(): Promise<void> {
    try {
      this.store = await SessionStore.open();
      this.sink = this.store;
      await this.refresh();
    } catch (error) {
      const problem = describeStorageError(error);
      this.storageProblem = problem.message;
      this.sink = { saveMeta: () => Promise.reject(problem), saveChunk: () => Promise.reject(problem) };
    }
  }

  /** Closes the store. */
  close(): void {
    this.store?.close();
  }

  /** A recording grew or changed state. */
  readonly onchange = (recorder: SessionRecorder): void => {
    this.recording = true;
    this.notice = undefined;
    if (recorder.storageError !== undefined) this.storageProblem = describeStorageError(recorder.storageError).message;
    const now = performance.now();
    if (this.shown?.meta.id !== recorder.session.meta.id || now - this.lastRedraw >= this.redrawMs) {
      this.lastRedraw = now;
      this.show(recorder.session);
    }
  };

  /** A recording ended (and was saved, or its storageError says why not). */
  readonly onfinish = async (recorder: SessionRecorder): Promise<void> => {
    this.recording = false;
    const { session } = recorder;
    this.storageProblem = recorder.storageError === undefined ? undefined : describeStorageError(recorder.storageError).message;
    this.show(session);
    if (session.frames.length === 0) {
      this.notice = {
        state: 'session-empty',
        tone: 'info',
        title: 'Nothing was recorded',
        detail: 'The session ended before any frame was analysed, so it was not kept.',
      };
      this.shown = undefined;
      await this.store?.delete(session.meta.id).catch(() => {});
    } else if (!session.frames.some((f) => f.faces.length > 0)) {
      this.notice = {
        state: 'session-no-faces',
        tone: 'info',
        title: 'No face was seen',
        detail: 'The session is saved, but no face was detected in it. Check the light and that faces are at least ~60 pixels tall.',
      };
    }
    await this.refresh();
  };

  /** Shows a saved session. */
  readonly open = async (id: string): Promise<void> => {
    try {
      const session = await this.store?.load(id);
      if (session === undefined) return;
      this.shown = session;
      this.notice = undefined;
    } catch (error) {
      this.storageProblem = describeStorageError(error).message;
    }
  };

  /** Deletes a saved session once confirmed. */
  readonly remove = async (id: string): Promise<void> => {
    const meta = this.sessions.find((s) => s.id === id);
    if (meta === undefined || !this.confirmDelete(meta)) return;
    try {
      await this.store?.delete(id);
      if (this.shown?.meta.id === id) this.shown = undefined;
      await this.refresh();
    } catch (error) {
      this.storageProblem = describeStorageError(error).message;
    }
  };

  /** Imports a session exported as JSON, under a new id so that it never overwrites one. */
  readonly importFile = async (file: File): Promise<void> => {
    let session: Session;
    try {
      session = await readSessionFile(file);
    } catch (error) {
      this.notice = {
        state: 'import-failed',
        tone: 'problem',
        title: 'This file can’t be imported',
        detail: error instanceof Error ? error.message : String(error),
      };
      return;
    }
    session = { ...session, meta: { ...session.meta, id: newSessionId() } };
    this.shown = session;
    try {
      if (this.store === undefined) throw new Error('storage is unavailable');
      await this.store.saveSession(session);
      this.notice = {
        state: 'import-done',
        tone: 'info',
        title: 'Session imported',
        detail: `${session.meta.name}: ${session.frames.length} frames.`,
      };
      await this.refresh();
    } catch (error) {
      this.storageProblem = describeStorageError(error).message;
    }
  };

  exportCsv(session: Session): void {
    downloadText(`${fileStem(session.meta.name)}.csv`, toCsv(session), 'text/csv');
  }

  exportMarkersCsv(session: Session): void {
    downloadText(`${fileStem(session.meta.name)}-markers.csv`, toMarkersCsv(session), 'text/csv');
  }

  exportPerSecondCsv(session: Session): void {
    downloadText(`${fileStem(session.meta.name)}-per-second.csv`, toPerSecondCsv(session), 'text/csv');
  }

  /** Reads a saved session without showing it (for comparisons); undefined when it is gone or storage fails. */
  readonly load = async (id: string): Promise<Session | undefined> => {
    try {
      return await this.store?.load(id);
    } catch (error) {
      this.storageProblem = describeStorageError(error).message;
      return undefined;
    }
  };

  exportJson(session: Session): void {
    downloadText(`${fileStem(session.meta.name)}.json`, toJson(session), 'application/json');
  }

  /** A snapshot of a session growing in place: a new object with the same frames. */
  private show(session: Session): void {
    this.shown = { meta: { ...session.meta, markers: [...session.meta.markers] }, frames: session.frames };
  }

  private async refresh(): Promise<void> {
    if (this.store === undefined) return;
    try {
      this.sessions = await this.store.list();
    } catch (error) {
      this.storageProblem = describeStorageError(error).message;
    }
  }
}
