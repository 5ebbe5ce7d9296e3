/**
 * Records an audience session: takes each analysed frame's tracked faces, keeps the whole session in
 * memory (the charts read it) and saves it to a {@link SessionSink} in chunks as it goes, so a closed
 * tab or a crash loses at most the last chunk. A failing sink (full storage quota) never drops data:
 * the unsaved frames stay queued and in memory, the problem is reported, and the next flush retries.
 */
import type { FaceBox } from '@fer/core';
import { yawFromKeypoints, type Keypoint } from './metrics.js';
import { round, type FrameSample, type Marker, type Session, type SessionMeta } from './session.js';

/** Where a session is saved (IndexedDB in the app, memory in tests). */
export interface SessionSink {
  saveMeta(meta: SessionMeta): Promise<void>;
  /** Saves frames as chunk `index` of session `id` (indices count up from 0, without gaps). */
  saveChunk(id: string, index: number, frames: FrameSample[]): Promise<void>;
}

/** What the recorder needs of a tracked face. */
export interface RecordedFace {
  id: number;
  box: FaceBox;
  probabilities: ArrayLike<number>;
  /** The detector's keypoints in frame pixels (BlazeFace's six), for the head's yaw; none, no yaw recorded. */
  keypoints?: readonly Keypoint[];
}

/** `{ yaw }` (degrees, 0.1 precision) when the keypoints give one, else nothing, so the stored face stays minimal. */
function yawField(keypoints: readonly Keypoint[] | undefined): { yaw?: number } {
  const yaw = keypoints === undefined ? undefined : yawFromKeypoints(keypoints);
  return yaw === undefined ? {} : { yaw: round(yaw, 1) };
}

export type RecorderState = 'recording' | 'paused' | 'stopped';

/** Frames per saved chunk: ~3 s at 10 frames/s, so little is lost and IndexedDB isn't written every frame. */
const DEFAULT_CHUNK_FRAMES = 30;

export class SessionRecorder {
  readonly session: Session;
  /** The last save failure, cleared by the next successful save. */
  storageError: unknown = undefined;
  private savedFrames = 0;
  private chunkIndex = 0;
  private saving: Promise<void> = Promise.resolve();

  constructor(
    meta: Omit<SessionMeta, 'durationMs' | 'frameCount' | 'markers' | 'state'>,
    private readonly sink: SessionSink,
    private readonly chunkFrames = DEFAULT_CHUNK_FRAMES,
  ) {
    this.session = { meta: { ...meta, durationMs: 0, frameCount: 0, markers: [], state: 'recording' }, frames: [] };
  }

  get state(): RecorderState {
    return this.session.meta.state;
  }

  /**
   * Adds a frame at `tMs` (session time; must not go back). Kept when the session was recording as
   * the frame was captured (`capturedWhile`, default: the state now; analysis finishes later, so a
   * frame captured before a pause counts and one captured while paused does not) and is not stopped.
   */
  record(tMs: number, faces: readonly RecordedFace[], capturedWhile: RecorderState = this.state): void {
    if (capturedWhile !== 'recording' || this.state === 'stopped') return;
    const t = Math.max(tMs, this.session.meta.durationMs);
    this.session.frames.push({
      t: round(t, 1),
      faces: faces.map((f) => ({
        id: f.id,
        box: [round(f.box.x, 1), round(f.box.y, 1), round(f.box.width, 1), round(f.box.height, 1)],
        p: Array.from(f.probabilities, (p) => round(p)),
        ...yawField(f.keypoints),
      })),
    });
    this.session.meta.durationMs = t;
    this.session.meta.frameCount = this.session.frames.length;
    if (this.session.frames.length - this.savedFrames >= this.chunkFrames) void this.flush();
  }

  /** Drops a named marker at `tMs` (defaults to the session's current end). */
  mark(label: string, tMs = this.session.meta.durationMs): Marker {
    const marker = { t: round(tMs, 1), label: label.trim() || 'Marker' };
    this.session.meta.markers.push(marker);
    this.session.meta.markers.sort((a, b) => a.t - b.t);
    void this.flush();
    return marker;
  }

  pause(): void {
    if (this.state === 'recording') this.setState('paused');
  }

  resume(): void {
    if (this.state === 'paused') this.setState('recording');
  }

  /** Ends the session and saves what is left; resolves when saved (or the save failed, see storageError). */
  async stop(): Promise<void> {
    if (this.state !== 'stopped') this.session.meta.state = 'stopped';
    await this.flush();
  }

  /** Saves unsaved frames and the metadata; serialised, so chunks are written in order. */
  flush(): Promise<void> {
    this.saving = this.saving.then(() => this.saveNow());
    return this.saving;
  }

  /** Frames recorded but not yet saved (kept in memory until they are). */
  get unsavedFrames(): number {
    return this.session.frames.length - this.savedFrames;
  }

  private setState(state: RecorderState): void {
    this.session.meta.state = state;
    void this.flush();
  }

  private async saveNow(): Promise<void> {
    try {
      while (this.savedFrames < this.session.frames.length) {
        const end = Math.min(this.session.frames.length, this.savedFrames + this.chunkFrames);
        await this.sink.saveChunk(this.session.meta.id, this.chunkIndex, this.session.frames.slice(this.savedFrames, end));
        this.chunkIndex++;
        this.savedFrames = end;
      }
      await this.sink.saveMeta(structuredClone(this.session.meta));
      this.storageError = undefined;
    } catch (error) {
      this.storageError = error;
    }
  }
}

/**
 * Session time for live recording: wall-clock milliseconds since start, not counting pauses, so a
 * paused audience leaves no gap in the curve.
 */
export class ActiveClock {
  private startedMs: number | undefined;
  private pausedAtMs: number | undefined;
  private pausedTotalMs = 0;

  start(nowMs: number): void {
    this.startedMs = nowMs;
    this.pausedAtMs = undefined;
    this.pausedTotalMs = 0;
  }

  pause(nowMs: number): void {
    if (this.pausedAtMs === undefined) this.pausedAtMs = nowMs;
  }

  resume(nowMs: number): void {
    if (this.pausedAtMs === undefined) return;
    this.pausedTotalMs += nowMs - this.pausedAtMs;
    this.pausedAtMs = undefined;
  }

  /** Active milliseconds at `nowMs` (frozen while paused). */
  at(nowMs: number): number {
    if (this.startedMs === undefined) return 0;
    return (this.pausedAtMs ?? nowMs) - this.startedMs - this.pausedTotalMs;
  }
}
