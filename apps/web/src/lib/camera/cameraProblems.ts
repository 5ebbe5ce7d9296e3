/** Why the camera can't be shown; each maps to one friendly message. */
export type CameraProblem = 'insecure' | 'unsupported' | 'denied' | 'no-camera' | 'in-use' | 'failed';

/** What the page can tell before asking for the camera. */
export interface CameraEnvironment {
  isSecureContext: boolean;
  hasGetUserMedia: boolean;
}

/** A problem known before calling getUserMedia, or undefined when it is worth asking. */
export function cameraPreflight(env: CameraEnvironment): CameraProblem | undefined {
  // Browsers hide navigator.mediaDevices outside secure contexts, so check that first.
  if (!env.isSecureContext) return 'insecure';
  if (!env.hasGetUserMedia) return 'unsupported';
  return undefined;
}

/** Maps a getUserMedia rejection (a DOMException, by name) to a problem. */
export function cameraProblemFromError(error: unknown): CameraProblem {
  const name = typeof error === 'object' && error !== null && 'name' in error ? String(error.name) : '';
  switch (name) {
    case 'NotAllowedError':
    case 'PermissionDeniedError':
    case 'SecurityError':
      return 'denied';
    case 'NotFoundError':
    case 'DevicesNotFoundError':
    case 'OverconstrainedError':
      return 'no-camera';
    case 'NotReadableError':
    case 'TrackStartError':
    case 'AbortError':
      return 'in-use';
    case 'TypeError':
      return 'unsupported';
    default:
      return 'failed';
  }
}

/** What to show for each problem: a headline and what the user can do. */
export const CAMERA_PROBLEM_TEXT: Record<CameraProblem, { title: string; detail: string }> = {
  insecure: {
    title: 'The camera needs a secure connection',
    detail: 'Browsers only share the camera with pages served over https:// or from localhost. Open this app over https. Photo mode works here.',
  },
  unsupported: {
    title: 'This browser cannot share a camera',
    detail: 'Try a current version of Chrome, Edge, Firefox or Safari. Photo mode works here.',
  },
  denied: {
    title: 'Camera permission was denied',
    detail: "Allow camera access for this site in your browser's address bar or site settings, then try again. Nothing you film leaves this device.",
  },
  'no-camera': {
    title: 'No camera found',
    detail: 'Connect a camera and try again, or use photo mode.',
  },
  'in-use': {
    title: 'The camera is busy',
    detail: 'Another app or tab is using the camera. Close it and try again.',
  },
  failed: {
    title: 'The camera could not start',
    detail: 'Try again; if it keeps failing, reload the page or use photo mode.',
  },
};

/**
 * The same messages for audience mode, where the way round a missing camera is the Video file
 * source on the same page (it has no photo mode).
 */
export const AUDIENCE_CAMERA_PROBLEM_TEXT = Object.fromEntries(
  Object.entries(CAMERA_PROBLEM_TEXT).map(([problem, text]) => [
    problem,
    {
      title: text.title,
      detail: text.detail
        .replace('or use photo mode', 'or analyse a recording with Video file above')
        .replace('Photo mode works here', 'Video file (above) works here'),
    },
  ]),
) as Record<CameraProblem, { title: string; detail: string }>;
