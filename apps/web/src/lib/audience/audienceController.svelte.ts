import { downloadText, fileStem } from './download';
import { readSessionFile, toCsv, toJson } from './exportFormats';
import type { SessionRecorder, SessionSink } from './recorder';
import { newSessionId, type Session, type SessionMeta } from './session';
import { describeStorageError, SessionStore, StorageError } from './store';
import { ReportClient } from './report/reportClient';
import type { ReportData } from './report/reportData';
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

/**
 * Audience mode's state and actions, apart from its page: the sessions saved in this browser, the
 * session shown (live while one records), notices and storage problems, import and export. The
 * recording views (AudienceCamera, AudienceFile) report to `onchange` and `onfinish`.
 *
 * The recorder grows its session in place; `shown` is replaced by a fresh snapshot object (the same
 * frames, at most every `redrawMs`), and its report is computed again in the report worker.
 */
export class AudienceController {
  sessions = $state.raw<SessionMeta[]>([]);
  shown = $state.raw<Session | undefined>();
  recording = $state(false);
  storageProblem = $state<string | undefined>();
  notice = $state.raw<AudienceNotice | undefined>();
  /**
   * Where recordings are saved: the store once it is open. Until then, or when it cannot open, saves fail with the
   * reason, and the recorder keeps the frames in memory for its next save (nothing is dropped silently).
   */
  readonly sink: SessionSink = {
    saveMeta: async (meta) => this.openedStore().saveMeta(meta),
    saveChunk: async (id, index, frames) => this.openedStore().saveChunk(id, index, frames),
  };
  /** The report of the shown session, from the report worker; undefined until its first one arrives. */
  report = $state.raw<ReportData | undefined>();
  /** Whether `report` is of the shown session as it is now (false while a newer one is computed). */
  reportCurrent = $state(false);

  private store: SessionStore | undefined;
  /** Why the store could not open, once that is known. */
  private openFailure: StorageError | undefined;
  /** Settles once `openStore` has opened the store or given up: actions that save wait for it, so none is lost to a slow open. */
  private storeOpened: Promise<void> = Promise.resolve();
  /** Started with the first session shown (the page is also prerendered, where there are no workers). */
  private reports: ReportClient | undefined;
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

  /** Opens the browser's session store and lists its sessions; without it, recordings stay in memory and each save fails with the reason. */
  openStore(): Promise<void> {
    this.storeOpened = this.openSessionStore();
    return this.storeOpened;
  }

  private async openSessionStore(): Promise<void> {
    try {
      this.store = await SessionStore.open();
      await this.refresh();
    } catch (error) {
      this.openFailure = describeStorageError(error);
      this.storageProblem = this.openFailure.message;
    }
  }

  private openedStore(): SessionStore {
    if (this.store !== undefined) return this.store;
    throw (
      this.openFailure ??
      new StorageError(
        'The browser’s storage for this site has not opened yet, so this session is not saved so far: it stays in memory, the next save tries again, and CSV or JSON export keeps it.',
        false,
      )
    );
  }

  /** Closes the store and stops the report worker. */
  close(): void {
    this.store?.close();
    this.reports?.terminate();
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
      this.display(undefined);
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
      this.display(session);
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
      if (this.shown?.meta.id === id) this.display(undefined);
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
    this.display(session);
    try {
      await this.storeOpened;
      await this.openedStore().saveSession(session);
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
    this.display({ meta: { ...session.meta, markers: [...session.meta.markers] }, frames: session.frames });
  }

  /** Shows `session` (or none) and asks the report worker for its report; another session's report is cleared meanwhile. */
  private display(session: Session | undefined): void {
    if (session?.meta.id !== this.shown?.meta.id) this.report = undefined;
    this.shown = session;
    if (session === undefined) return;
    this.reports ??= ReportClient.create({
      onreport: (data) => {
        if (data.sessionId !== this.shown?.meta.id) return;
        this.report = data;
        this.reportCurrent = data.revision === this.reports?.revision;
      },
      onerror: (error) => {
        this.notice = { state: 'report-failed', tone: 'problem', title: 'The report can’t be computed', detail: error.message };
      },
    });
    this.reports.update(session);
    this.reportCurrent = false;
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
