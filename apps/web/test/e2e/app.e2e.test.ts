/**
 * The built app in Debian's Chromium (playwright-core), served by `vite preview`: it loads the
 * model, classifies a fake camera made of real FER2013 faces, explains camera and model problems,
 * classifies a photo (without maps when the saliency worker fails), works offline after the first
 * visit, and never requests another origin.
 *
 * Needs Chromium ($CHROMIUM_PATH or /usr/bin/chromium), a trained model ($FER_MODELS_DIR or
 * <repo>/models) and FER2013 ($FER2013_DIR or ../shared/datasets/fer2013); skips, saying which is
 * missing, otherwise. Runs on the wasm backend (?backend=wasm): headless Chromium's WebGL is a
 * software renderer, slower than wasm and not what users get.
 */
import { join } from 'node:path';
import { EXPRESSIONS } from '@fer/core';
import type { BrowserContext } from 'playwright-core';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { makeFakeCamera, makeFakePhoto } from '../../scripts/make-fake-camera';
import { Browsers, e2eSkipReason, fakeCameraFlags, ferDir, state } from '../helpers/e2eApp';

const LABEL = new RegExp(`^(Face \\d+: )?(${EXPRESSIONS.join('|')})$`, 'i');

describe.skipIf(e2eSkipReason !== undefined)('the web app in Chromium', () => {
  const origin = inject('appOrigin');
  const browsers = new Browsers();
  afterAll(() => browsers.closeAll());

  const launch = (args?: string[], serviceWorkers?: 'allow' | 'block'): Promise<BrowserContext> => browsers.launch(args, serviceWorkers);
  const open = (context: BrowserContext) => browsers.open(context, origin);

  it('loads the model, works offline after the first visit, and talks to no other origin', async () => {
    const context = await launch([], 'allow');
    const { page, foreign, violations } = await open(context);
    await state(page, 'camera-idle').waitFor({ timeout: 60_000 });
    await expect(state(page, 'model-ready').innerText()).resolves.toContain('WebAssembly');
    await state(page, 'offline-ready').waitFor({ timeout: 60_000 });
    // In the page's flow, not floating: it cannot cover the picture or the results.
    expect(await state(page, 'offline-ready').evaluate((el) => getComputedStyle(el).position)).toBe('static');

    await context.setOffline(true);
    await page.reload();
    await state(page, 'camera-idle').waitFor({ timeout: 60_000 });
    await context.setOffline(false);
    expect(foreign).toEqual([]);
    expect(violations).toEqual([]);
  }, 180_000);

  it('classifies the fake camera live, says when no face is in view, pauses when hidden, stops cleanly', async () => {
    const cameraFile = join(browsers.tmp, 'camera.y4m');
    makeFakeCamera({ ferDir, out: cameraFile });
    const context = await launch(fakeCameraFlags(cameraFile));
    const { page, foreign, violations } = await open(context);
    await page.getByRole('button', { name: 'Start camera' }).click({ timeout: 60_000 });
    const caption = page.locator('.charts figcaption .title').first();
    await caption.waitFor({ timeout: 30_000 });
    expect(await caption.innerText()).toMatch(LABEL);
    await expect.poll(async () => Number(await page.getByTestId('fps').innerText()), { timeout: 10_000 }).toBeGreaterThan(0);
    // The video ends in an empty scene.
    await state(page, 'no-face').waitFor({ timeout: 20_000 });

    // Announcements are off by default; on, the expression is read out once it holds.
    expect(await page.getByTestId('announcement').innerText()).toBe('');
    // Display options live in the Settings menu.
    await page.getByText('Settings', { exact: true }).click();
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
    const deviceId = () =>
      page.evaluate(() => (document.querySelector('video')?.srcObject as MediaStream | null)?.getVideoTracks()[0]?.getSettings().deviceId);
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
    await context.route('**/models/svm.bin', (route) => route.fulfill({ status: 200, body: '{"tampered": true}' }));
    const { page } = await open(context);
    const card = state(page, 'load-failed');
    await card.waitFor({ timeout: 60_000 });
    expect(await card.innerText()).toMatch(/\/models\/svm\.bin/);
  }, 120_000);

  it('classifies every face of a photo, without a camera', async () => {
    const context = await launch();
    const { page, foreign } = await open(context);
    await page.getByRole('button', { name: 'Photo' }).click({ timeout: 60_000 });
    await page.locator('input[type="file"]').setInputFiles({ name: 'faces.bmp', mimeType: 'image/bmp', buffer: makeFakePhoto(ferDir) });
    await state(page, 'photo-done').waitFor({ timeout: 30_000 });
    const captions = await page.locator('.charts figcaption .title').allInnerTexts();
    expect(captions).toHaveLength(2);
    for (const caption of captions) expect(caption).toMatch(LABEL);
    // Saliency differentiates through the CNN, which on wasm needs @fer/core's gradient kernels.
    expect(await state(page, 'saliency-unavailable').count()).toBe(0);
    expect(foreign).toEqual([]);
  }, 120_000);

  it('still classifies a photo when the saliency worker cannot load, and says why there are no maps', async () => {
    const context = await launch();
    await context.route('**/saliency.worker*.js', (route) => route.fulfill({ status: 404, body: 'gone' }));
    const { page } = await open(context);
    await page.getByRole('button', { name: 'Photo' }).click({ timeout: 60_000 });
    await page.locator('input[type="file"]').setInputFiles({ name: 'faces.bmp', mimeType: 'image/bmp', buffer: makeFakePhoto(ferDir) });
    await state(page, 'photo-done').waitFor({ timeout: 30_000 });
    for (const caption of await page.locator('.charts figcaption .title').allInnerTexts()) expect(caption).toMatch(LABEL);
    expect(await state(page, 'saliency-unavailable').innerText()).toMatch(/saliency worker failed/);
  }, 120_000);
});
