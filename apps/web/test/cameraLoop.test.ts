import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CameraLoop, requestFrame } from '../src/lib/camera/cameraLoop';

/** A camera track that records whether it was stopped (the camera light goes off). */
class FakeTrack {
  stopped = false;
  stop(): void {
    this.stopped = true;
  }
  getSettings(): MediaTrackSettings {
    return { deviceId: 'front', facingMode: 'user' };
  }
}

function fakeStream(): { stream: MediaStream; track: FakeTrack } {
  const track = new FakeTrack();
  const stream = { getTracks: () => [track], getVideoTracks: () => [track] } as unknown as MediaStream;
  return { stream, track };
}

/** A <video> whose frames the test delivers by hand, with or without requestVideoFrameCallback. */
class FakeVideo {
  srcObject: MediaStream | null = null;
  private callbacks = new Map<number, () => void>();
  private nextId = 1;
  play(): Promise<void> {
    return Promise.resolve();
  }
  requestVideoFrameCallback(callback: () => void): number {
    const id = this.nextId++;
    this.callbacks.set(id, callback);
    return id;
  }
  cancelVideoFrameCallback(id: number): void {
    this.callbacks.delete(id);
  }
  get pending(): number {
    return this.callbacks.size;
  }
  /** Delivers one frame to whoever waits for it. */
  frame(): void {
    const waiting = [...this.callbacks.values()];
    this.callbacks.clear();
    for (const callback of waiting) callback();
  }
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));
let streams: FakeTrack[];
let openCamera: () => Promise<MediaStream>;

beforeEach(() => {
  streams = [];
  openCamera = () => {
    const { stream, track } = fakeStream();
    streams.push(track);
    return Promise.resolve(stream);
  };
  Object.defineProperty(globalThis, 'window', { value: { isSecureContext: true }, configurable: true });
  Object.defineProperty(globalThis, 'navigator', {
    value: { mediaDevices: { getUserMedia: () => openCamera() } },
    configurable: true,
  });
});

afterEach(() => {
  Reflect.deleteProperty(globalThis, 'window');
  Reflect.deleteProperty(globalThis, 'navigator');
});

describe('CameraLoop', () => {
  it('hands frames to the handler one at a time until stopped, then turns the camera off', async () => {
    const video = new FakeVideo();
    const loop = CameraLoop.create(video as unknown as HTMLVideoElement);
    const result = await loop.start();
    expect(result.ok).toBe(true);
    let handled = 0;
    loop.run(() => {
      handled++;
      return Promise.resolve();
    });
    video.frame();
    await flush();
    video.frame();
    await flush();
    expect(handled).toBe(2);
    expect(video.pending).toBe(1);
    loop.stop();
    expect(video.pending).toBe(0);
    expect(streams[0]?.stopped).toBe(true);
    expect(video.srcObject).toBeNull();
  });

  it('closes a camera that opened after a stop superseded its start', async () => {
    const video = new FakeVideo();
    const loop = CameraLoop.create(video as unknown as HTMLVideoElement);
    let open: (stream: MediaStream) => void = () => {};
    openCamera = () =>
      new Promise((resolve) => {
        open = resolve;
      });
    const starting = loop.start();
    loop.stop();
    const { stream, track } = fakeStream();
    open(stream);
    expect(await starting).toEqual({ ok: false, superseded: true });
    expect(track.stopped).toBe(true);
    expect(loop.session).toBeUndefined();
  });

  it('drops a frame whose handler finishes after a stop, and schedules nothing more', async () => {
    const video = new FakeVideo();
    const loop = CameraLoop.create(video as unknown as HTMLVideoElement);
    await loop.start();
    let finish: () => void = () => {};
    let current: (() => boolean) | undefined;
    loop.run((_now, isCurrent) => {
      current = isCurrent;
      return new Promise((resolve) => (finish = resolve));
    });
    video.frame();
    loop.stop();
    finish();
    await flush();
    expect(current?.()).toBe(false);
    expect(video.pending).toBe(0);
  });
});

describe('requestFrame', () => {
  it('waits for the next paint where the browser lacks requestVideoFrameCallback', () => {
    let painted: (() => void) | undefined;
    Object.defineProperty(globalThis, 'requestAnimationFrame', {
      value: (callback: () => void) => {
        painted = callback;
        return 7;
      },
      configurable: true,
    });
    Object.defineProperty(globalThis, 'cancelAnimationFrame', {
      value: (id: number) => {
        if (id === 7) painted = undefined;
      },
      configurable: true,
    });
    let called = 0;
    requestFrame({} as HTMLVideoElement, () => called++);
    painted?.();
    expect(called).toBe(1);
    const cancel = requestFrame({} as HTMLVideoElement, () => called++);
    cancel();
    expect(painted).toBeUndefined();
    Reflect.deleteProperty(globalThis, 'requestAnimationFrame');
    Reflect.deleteProperty(globalThis, 'cancelAnimationFrame');
  });
});
