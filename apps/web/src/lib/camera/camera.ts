import { cameraPreflight, cameraProblemFromError, type CameraProblem } from './cameraProblems';

/** An open camera. */
export interface CameraSession {
  stream: MediaStream;
  /** The device actually opened (may differ from the one asked for when it was unknown). */
  deviceId: string | undefined;
  /** Selfie-style mirroring: on for front and desktop cameras, off for a rear camera. */
  mirrored: boolean;
}

/** Result of `openCamera`: a session or the reason there is none. */
export type OpenCameraResult = { ok: true; session: CameraSession } | { ok: false; problem: CameraProblem; error?: unknown };

/**
 * Opens a camera: `deviceId` when given, else the front camera. 640x480 is plenty for 48x48 face
 * crops and keeps detection fast on phones; audience mode asks for more (`ideal`), as its faces are small.
 */
export async function openCamera(
  deviceId?: string,
  ideal: { width: number; height: number } = { width: 640, height: 480 },
): Promise<OpenCameraResult> {
  const preflight = cameraPreflight({
    isSecureContext: window.isSecureContext,
    hasGetUserMedia: typeof navigator.mediaDevices?.getUserMedia === 'function',
  });
  if (preflight !== undefined) return { ok: false, problem: preflight };
  const video: MediaTrackConstraints = {
    width: { ideal: ideal.width },
    height: { ideal: ideal.height },
    ...(deviceId === undefined ? { facingMode: 'user' } : { deviceId: { exact: deviceId } }),
  };
  try {
    const stream = await navigator.mediaDevices.getUserMedia({ video, audio: false });
    const settings = stream.getVideoTracks()[0]?.getSettings() ?? {};
    return { ok: true, session: { stream, deviceId: settings.deviceId, mirrored: settings.facingMode !== 'environment' } };
  } catch (error) {
    return { ok: false, problem: cameraProblemFromError(error), error };
  }
}

/** Result of `playCamera`: the camera playing, the reason it is not, or `superseded`. */
export type PlayCameraResult = { ok: true; session: CameraSession } | { ok: false; problem: CameraProblem } | { ok: false; superseded: true };

/**
 * Opens a camera (see `openCamera`) and plays it in `video`, resolving once its size is known.
 * `isCurrent()` says whether the caller still wants this camera: a stop or a newer start while
 * the browser was opening or starting it supersedes it, and the camera is then closed here.
 */
export async function playCamera(
  video: HTMLVideoElement,
  isCurrent: () => boolean,
  deviceId?: string,
  ideal?: { width: number; height: number },
): Promise<PlayCameraResult> {
  const result = await openCamera(deviceId, ideal);
  if (!isCurrent()) {
    if (result.ok) closeCamera(result.session);
    return { ok: false, superseded: true };
  }
  if (!result.ok) return { ok: false, problem: result.problem };
  video.srcObject = result.session.stream;
  let played = true;
  try {
    await video.play();
  } catch {
    // play() also rejects when a newer start or stop replaced this stream; that one decides the state.
    played = false;
  }
  if (!isCurrent()) {
    closeCamera(result.session);
    return { ok: false, superseded: true };
  }
  if (!played) {
    closeCamera(result.session);
    video.srcObject = null;
    return { ok: false, problem: 'failed' };
  }
  return result;
}

/** Stops every track, which turns the camera (and its light) off. */
export function closeCamera(session: CameraSession): void {
  for (const track of session.stream.getTracks()) track.stop();
}

/** Video inputs; labels and ids are only filled in once camera permission was granted. */
export async function listCameras(): Promise<MediaDeviceInfo[]> {
  if (typeof navigator.mediaDevices?.enumerateDevices !== 'function') return [];
  const devices = await navigator.mediaDevices.enumerateDevices();
  return devices.filter((d) => d.kind === 'videoinput' && d.deviceId !== '');
}

/** The camera after `currentId` in `cameras`, wrapping around; undefined when there is no other. */
export function nextCameraId(cameras: readonly Pick<MediaDeviceInfo, 'deviceId'>[], currentId: string | undefined): string | undefined {
  if (cameras.length < 2) return undefined;
  const index = cameras.findIndex((c) => c.deviceId === currentId);
  return cameras[(index + 1) % cameras.length]?.deviceId;
}
