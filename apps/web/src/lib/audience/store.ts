/**
 * Sessions in the browser's IndexedDB (through `idb`): metadata in one store, frames in chunks
 * keyed [sessionId, index] in another, so a long session is written a few seconds at a time and
 * listing sessions never reads their frames. Survives reloads and works offline.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { SessionSink } from './recorder.js';
import type { FrameSample, Session, SessionMeta } from './session.js';

interface AudienceDb extends DBSchema {
  sessions: { key: string; value: SessionMeta };
  chunks: { key: [string, number]; value: { sessionId: string; index: number; frames: FrameSample[] } };
}

export const DB_NAME = 'fer-audience';

/** A storage failure, in words for the user; `full` when the browser's quota ran out. */
export class StorageError extends Error {
  override name = 'StorageError';
  constructor(
    message: string,
    readonly full: boolean,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** True for the errors browsers raise when the origin's storage quota is used up. */
export function isQuotaError(error: unknown): boolean {
  const name = typeof error === 'object' && error !== null ? (error as { name?: unknown }).name : undefined;
  // Firefox's older name; Safari and Chromium use QuotaExceededError (code 22).
  return name === 'QuotaExceededError' || name === 'NS_ERROR_DOM_QUOTA_REACHED';
}

/** Wraps a storage failure into a StorageError with a message a user can act on. */
export function describeStorageError(error: unknown): StorageError {
  if (error instanceof StorageError) return error;
  if (isQuotaError(error)) {
    return new StorageError(
      'The browser’s storage for this site is full. Recording goes on in memory: export this session (CSV or JSON) before closing the page, or delete old sessions to make room.',
      true,
      { cause: error },
    );
  }
  const detail = error instanceof Error ? error.message : String(error);
  return new StorageError(`Sessions can’t be saved in this browser (${detail}). Export this session before closing the page.`, false, {
    cause: error,
  });
}

/** The session store; every method rejects with a StorageError. */
export class SessionStore implements SessionSink {
  private constructor(private readonly db: IDBPDatabase<AudienceDb>) {}

  static async open(name = DB_NAME): Promise<SessionStore> {
    try {
      const db = await openDB<AudienceDb>(name, 1, {
        upgrade(database) {
          database.createObjectStore('sessions', { keyPath: 'id' });
          database.createObjectStore('chunks', { keyPath: ['sessionId', 'index'] });
        },
      });
      return new SessionStore(db);
    } catch (error) {
      throw describeStorageError(error);
    }
  }

  async saveMeta(meta: SessionMeta): Promise<void> {
    await this.guard(() => this.db.put('sessions', meta));
  }

  async saveChunk(id: string, index: number, frames: FrameSample[]): Promise<void> {
    await this.guard(() => this.db.put('chunks', { sessionId: id, index, frames }));
  }

  /** All sessions, newest first. */
  async list(): Promise<SessionMeta[]> {
    const all = await this.guard(() => this.db.getAll('sessions'));
    return all.sort((a, b) => b.createdAt - a.createdAt);
  }

  /** A whole session, or undefined when there is none with this id. */
  async load(id: string): Promise<Session | undefined> {
    return this.guard(async () => {
      const tx = this.db.transaction(['sessions', 'chunks']);
      const meta = await tx.objectStore('sessions').get(id);
      const chunks = await tx.objectStore('chunks').getAll(IDBKeyRange.bound([id, 0], [id, Number.MAX_SAFE_INTEGER]));
      await tx.done;
      if (meta === undefined) return undefined;
      const frames = chunks.sort((a, b) => a.index - b.index).flatMap((c) => c.frames);
      return { meta, frames };
    });
  }

  /** Saves a whole session (an import) in one transaction: all of it or nothing. */
  async saveSession(session: Session, chunkFrames = 300): Promise<void> {
    await this.guard(async () => {
      const tx = this.db.transaction(['sessions', 'chunks'], 'readwrite');
      const writes: Promise<unknown>[] = [];
      for (let i = 0, index = 0; i < session.frames.length; i += chunkFrames, index++) {
        writes.push(tx.objectStore('chunks').put({ sessionId: session.meta.id, index, frames: session.frames.slice(i, i + chunkFrames) }));
      }
      writes.push(tx.objectStore('sessions').put(session.meta));
      await Promise.all([...writes, tx.done]);
    });
  }

  async delete(id: string): Promise<void> {
    await this.guard(async () => {
      const tx = this.db.transaction(['sessions', 'chunks'], 'readwrite');
      await Promise.all([
        tx.objectStore('sessions').delete(id),
        tx.objectStore('chunks').delete(IDBKeyRange.bound([id, 0], [id, Number.MAX_SAFE_INTEGER])),
        tx.done,
      ]);
    });
  }

  close(): void {
    this.db.close();
  }

  private async guard<T>(action: () => Promise<T>): Promise<T> {
    try {
      return await action();
    } catch (error) {
      throw describeStorageError(error);
    }
  }
}
