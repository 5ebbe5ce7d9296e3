import { describe, expect, it } from 'vitest';
import { nextCameraId } from '../src/lib/camera/camera';
import { CAMERA_PROBLEM_TEXT, cameraPreflight, cameraProblemFromError } from '../src/lib/camera/cameraProblems';

const domError = (name: string) => Object.assign(new Error(name), { name });

describe('cameraPreflight', () => {
  it('reports an insecure context first (browsers then hide mediaDevices altogether)', () => {
    expect(cameraPreflight({ isSecureContext: false, hasGetUserMedia: false })).toBe('insecure');
    expect(cameraPreflight({ isSecureContext: true, hasGetUserMedia: false })).toBe('unsupported');
    expect(cameraPreflight({ isSecureContext: true, hasGetUserMedia: true })).toBeUndefined();
  });
});

describe('cameraProblemFromError', () => {
  it.each([
    ['NotAllowedError', 'denied'],
    ['SecurityError', 'denied'],
    ['PermissionDeniedError', 'denied'],
    ['NotFoundError', 'no-camera'],
    ['OverconstrainedError', 'no-camera'],
    ['DevicesNotFoundError', 'no-camera'],
    ['NotReadableError', 'in-use'],
    ['TrackStartError', 'in-use'],
    ['AbortError', 'in-use'],
    ['TypeError', 'unsupported'],
    ['SomethingNew', 'failed'],
  ] as const)('%s -> %s', (name, problem) => {
    expect(cameraProblemFromError(domError(name))).toBe(problem);
  });
  it('copes with values that are not errors', () => {
    expect(cameraProblemFromError(undefined)).toBe('failed');
    expect(cameraProblemFromError('NotAllowedError')).toBe('failed');
  });
  it('has a message for every problem', () => {
    for (const text of Object.values(CAMERA_PROBLEM_TEXT)) expect(text.title.length * text.detail.length).toBeGreaterThan(0);
  });
});

describe('nextCameraId', () => {
  const cameras = [{ deviceId: 'front' }, { deviceId: 'back' }, { deviceId: 'usb' }];
  it('cycles through the cameras', () => {
    expect(nextCameraId(cameras, 'front')).toBe('back');
    expect(nextCameraId(cameras, 'usb')).toBe('front');
  });
  it('starts at the first camera when the current one is unknown', () => {
    expect(nextCameraId(cameras, undefined)).toBe('front');
  });
  it('has nothing to switch to with one camera', () => {
    expect(nextCameraId([{ deviceId: 'only' }], 'only')).toBeUndefined();
  });
});
