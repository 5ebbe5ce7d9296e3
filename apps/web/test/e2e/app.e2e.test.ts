/**
 * The built app in Debian's Chromium (playwright-core), served by `vite preview`: it loads the
 * model, classifies a fake camera made of real FER2013 faces, explains camera and model problems,
 * classifies a photo, works offline after the first visit, and never requests another origin.
 *
 * Needs Chromium ($CHROMIUM_PATH or /usr/bin/chromium), a trained model ($FER_MODELS_DIR or
 * <repo>/models) and FER2013 ($FER2013_DIR or ../shared/datasets/fer2013); skips, saying which is
 * missing, otherwise. Runs on the wasm backend (?backend=wasm): headless Chromium's WebGL is a
 * software renderer, slower than wasm and not what users get.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXPRESSIONS } from '@fer/core';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { preview, type PreviewServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultFerDir, makeFakeCamera, makeFakePhoto } from '../../scripts/make-fake-camera';
import { CHROMIUM_FLAGS, chromiumPath } from '../helpers/chromium.js';

const appDir = fileURLToPath(new URL('../..', import.meta.url));
const repoDir = resolve(appDir, '../..');
const modelsDir = process.env.FER_MODELS_DIR ?? join(repoDir, 'models');
const ferDir = defaultFerDir();

const skipReason = !existsSync(chromiumPath)
  ? `no Chromium at ${chromiumPath} (apt-get install chromium, or set CHROMIUM_PATH)`
  : !existsSync(join(modelsDir, 'manifest.json'))
    ? `no trained model in ${modelsDir} (run pnpm train, or set FER_MODELS_DIR)`
    : !existsSync(join(ferDir, 'test'))
      ? `FER2013 not found at ${ferDir} (set FER2013_DIR)`
      : undefined;
if (skipReason !== undefined) console.warn(`app.e2e.test: skipped: ${skipReason}`);

const LABEL = new RegExp(`^(Face \\d+: )?(${EXPRESSIONS.join('|')})$`, 'i');

describe.skipIf(skipReason !== undefined)('the web app in Chromium', () => {
  let server: PreviewServer;
  let origin: string;
  let tmp: string;
  let cameraFile: string;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'fer-e2e-'));
    cameraFile = join(tmp, 'camera.y4m');
    makeFakeCamera({ ferDir, out: cameraFile });
    // NODE_ENV: vitest sets 'test', which would make a development build (no service worker).
    const env = { ...process.env, FER_MODELS_DIR: modelsDir, NODE_ENV: 'production' };
    execFileSync('pnpm', ['exec', 'vite', 'build', '--logLevel', 'warn'], { cwd: appDir, env, stdio: 'pipe' });
    server = await preview({ root: appDir, logLevel: 'silent', preview: { port: 0, open: false } });
    const url = server.resolvedUrls?.local[0];
    if (url === undefined) throw new Error('vite preview did not report its URL');
    origin = new URL(url).origin;
  }, 600_000);

  afterAll(async () => {
    await Promise.all(contexts.map((c) => c.close()));
    await server?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  /** Service workers only where a test needs one: its "offline" toast would cover buttons others click. */
  async function launch(args: string[] = [], serviceWorkers: 'allow' | 'block' = 'block'): Promise<BrowserContext> {
    const context = await chromium.launchPersistentContext(mkdtempSync(join(tmp, 'profile-')), {
      executablePath: chromiumPath,
      headless: true,
      args: [...CHROMIUM_FLAGS, ...args],
      serviceWorkers,
      viewport: { width: 480, height: 900 },
    });
    contexts.push(context);
    return context;
  }

  /** Opens the app and records requests to other origins and CSP violations. */
  async function open(context: BrowserContext): Promise<{ page: Page; foreign: string[]; violations: string[] }> {
    const page = await context.newPage();
    const foreign: string[] = [];
    const violations: string[] = [];
    page.on('request', (request) => {
      const url = request.url();
      if (!url.startsWith(origin) && !url.startsWith('blob:') && !url.startsWith('data:')) foreign.push(url);
    });
    page.on('console', (message) => {
      if (message.text().includes('Content Security Policy')) violations.push(message.text());
    });
    await page.goto(`${origin}/?backend=wasm`);
    return { page, foreign, violations };
  }

  const state = (page: Page, name: string) => page.locator(`[data-state="${name}"]`);

  it('loads the model, works offline after the first visit, and talks to no other origin', async () => {
    const context = await launch([], 'allow');
    const { page, foreign, violations } = await open(context);
    await state(page, 'camera-idle').waitFor({ timeout: 60_000 });
    await expect(state(page, 'model-ready').innerText()).resolves.toContain('WebAssembly');
    await state(page, 'offline-ready').waitFor({ timeout: 60_000 });

    await context.setOffline(true);
    await page.reload();
    await state(page, 'camera-idle').waitFor({ timeout: 60_000 });
    await context.setOffline(false);
    expect(foreign).toEqual([]);
    expect(violations).toEqual([]);
  }, 180_000);

  it('classifies the fake camera live, says when no face is in view, pauses when hidden, stops cleanly', async () => {
    const context = await launch(['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${cameraFile}`]);
    const { page, foreign, violations } = await open(context);
    await page.getByRole('button', { name: 'Start camera' }).click({ timeout: 60_000 });
    const caption = page.locator('.charts figcaption').first();
    await caption.waitFor({ timeout: 30_000 });
    expect(await caption.innerText()).toMatch(LABEL);
    await expect.poll(async () => Number(await page.getByTestId('fps').innerText()), { timeout: 10_000 }).toBeGreaterThan(0);
    // The video ends in an empty scene.
    await state(page, 'no-face').waitFor({ timeout: 20_000 });

    // Announcements are off by default; on, the expression is read out once it holds.
    expect(await page.getByTestId('announcement').innerText()).toBe('');
    await page.getByLabel('Announce expression (screen readers)').check();
    await expect.poll(() => page.getByTestId('announcement').innerText(), { timeout: 30_000 }).not.toBe('');

    await page.evaluate(() => {
      Object.defineProperty(document, 'hidden', { value: true, configurable: true });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await state(page, 'camera-paused').waitFor();
    expect(await page.evaluate(() => document.querySelector('video')?.srcObject ?? null)).toBeNull();
    await page.evaluate(() => {
      Object.defineProperty(document, 'hidden', { value: false, configurable: true });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await page.getByRole('button', { name: 'Stop camera' }).click({ timeout: 20_000 });
    await state(page, 'camera-idle').waitFor();
    expect(await page.evaluate(() => document.querySelector('video')?.srcObject ?? null)).toBeNull();
    expect(foreign).toEqual([]);
    expect(violations).toEqual([]);
  }, 180_000);

  it('switches between cameras', async () => {
    const context = await launch(['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream=device-count=2']);
    const { page } = await open(context);
    const deviceId = () => page.evaluate(() => (document.querySelector('video')?.srcObject as MediaStream | null)?.getVideoTracks()[0]?.getSettings().deviceId);
    await page.getByRole('button', { name: 'Start camera' }).click({ timeout: 60_000 });
    const sw = page.getByRole('button', { name: 'Switch camera' });
    await sw.waitFor({ timeout: 20_000 });
    const first = await deviceId();
    await sw.click();
    expect(first).toBeDefined();
    await expect.poll(async () => [undefined, first].includes(await deviceId()), { timeout: 20_000 }).toBe(false);
  }, 120_000);

  it('explains why the camera cannot start', async () => {
    const context = await launch();
    for (const [error, shown] of [
      ['NotAllowedError', 'camera-denied'],
      ['NotFoundError', 'camera-no-camera'],
      ['NotReadableError', 'camera-in-use'],
    ] as const) {
      await context.addInitScript((name) => {
        navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('test', name));
      }, error);
      const { page } = await open(context);
      await page.getByRole('button', { name: 'Start camera' }).click({ timeout: 60_000 });
      await state(page, shown).waitFor({ timeout: 10_000 });
      await page.close();
    }
  }, 180_000);

  it('names the model file that failed to load', async () => {
    const context = await launch();
    await context.route('**/models/svm.json', (route) => route.fulfill({ status: 200, body: '{"tampered": true}' }));
    const { page } = await open(context);
    const card = state(page, 'load-failed');
    await card.waitFor({ timeout: 60_000 });
    expect(await card.innerText()).toMatch(/\/models\/svm\.json/);
  }, 120_000);

  it('classifies every face of a photo, without a camera', async () => {
    const context = await launch();
    const { page, foreign } = await open(context);
    await page.getByRole('button', { name: 'Photo' }).click({ timeout: 60_000 });
    await page.locator('input[type="file"]').setInputFiles({ name: 'faces.bmp', mimeType: 'image/bmp', buffer: makeFakePhoto(ferDir) });
    await state(page, 'photo-done').waitFor({ timeout: 30_000 });
    const captions = await page.locator('.charts figcaption').allInnerTexts();
    expect(captions).toHaveLength(2);
    for (const caption of captions) expect(caption).toMatch(LABEL);
    // Saliency differentiates through the CNN, which on wasm needs @fer/core's gradient kernels.
    expect(await state(page, 'saliency-unavailable').count()).toBe(0);
    expect(foreign).toEqual([]);
  }, 120_000);
});
