import type { FrameSample, Marker, Session, SessionMeta } from '../../src/lib/audience/session';

/** A camera session of `frames` (640x480), its metadata filled in (named after its id; lasting to its last frame); `meta` overrides any field. */
export function testSession(frames: FrameSample[], meta: Partial<SessionMeta> & { markers?: Marker[] } = {}): Session {
  return {
    meta: {
      id: 's',
      name: meta.id ?? 'S',
      source: 'camera',
      createdAt: 0,
      width: 640,
      height: 480,
      durationMs: frames.at(-1)?.t ?? 0,
      frameCount: frames.length,
      markers: [],
      state: 'stopped',
      ...meta,
    },
    frames,
  };
}
