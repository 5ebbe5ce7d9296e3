/** Debian's Chromium, driven by playwright-core (never a browser downloaded by a test tool). */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Flags that let headless Chromium run here: no sandbox as root, and no calls home on a closed network. */
export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Flags for a fake camera playing `file` (.y4m, see scripts/make-fake-camera.ts), permission granted. */
export function fakeCameraFlags(file: string): string[] {
  return ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${file}`];
}
