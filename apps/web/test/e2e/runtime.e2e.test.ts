/**
 * How the app runs rather than what it shows: the analysis in its workers (the page's own thread
 * loads no model and no WebAssembly), the backend chosen by measurement (headless Chromium with
 * --disable-gpu has a software WebGL, SwiftShader, and must end on WebAssembly), and cross-origin
 * isolation (tfjs's threaded WebAssembly, on the threads `wasmThreads` gives this machine's cores)
 * from the server's headers or, on a host that sends none, from the service worker.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { makeFakeCamera } from '../../scripts/make-fake-camera';
import { wasmThreads } from '../../src/lib/runtime/backendChoice';
import { serveStatic } from '../../tools/staticServer';
import { appDir, Browsers, e2eSkipReason, fakeCameraFlags, ferDir, state } from '../helpers/e2eApp';

interface RuntimeLine {
  backend: string | null;
  how: string | null;
  threads: number;
  threaded: boolean;
  isolated: boolean;
}

/** The footer's runtime line once the model is ready: backend, how it was chosen, threads. */
async function runtimeLine(page: Page): Promise<RuntimeLine> {
  const ready = state(page, 'model-ready');
  await ready.waitFor({ timeout: 90_000 });
  return {
    backend: await ready.getAttribute('data-backend'),
    how: await ready.getAttribute('data-backend-how'),
    threads: Number(await ready.getAttribute('data-threads')),
    threaded: (await ready.getAttribute('data-threaded')) === 'true',
    isolated: await page.evaluate(() => crossOriginIsolated),
  };
}

/** What a cross-origin isolated live page runs: the threaded build, frames on every core but saliency's (one on 2 cores). */
async function expectThreaded(page: Page, line: RuntimeLine): Promise<void> {
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  expect(line).toMatchObject({ backend: 'wasm', isolated: true, threaded: true, threads: wasmThreads(cores, 'analysis') });
}

describe.skipIf(e2eSkipReason !== undefined)('how the app runs', () => {
  const origin = inject('appOrigin');
  const browsers = new Browsers();
  afterAll(() => browsers.closeAll());

  it('measures the backends when none was chosen, passes over the software WebGL, ends on WebAssembly, and remembers it', async () => {
    const { page, foreign } = await browsers.open(await browsers.launch(), origin, '/');
    expect(await runtimeLine(page)).toMatchObject({ backend: 'wasm', how: 'measured' });
    const reason = await page.getByTestId('backend-reason').innerText();
    expect(reason).toMatch(/Fastest measured per face: the CPU \(WebAssembly\) \d/);
    expect(reason).toMatch(/the GPU \(WebGL\): a software renderer \([^)]*SwiftShader/);
    expect(await state(page, 'model-ready').innerText()).toContain('Running on the CPU (WebAssembly, SIMD,');

    await page.reload();
    expect(await runtimeLine(page)).toMatchObject({ backend: 'wasm', how: 'remembered' });

    // Settings: the user's pick wins over the measurement, and the page says so.
    await page.getByText('Settings').click();
    await Promise.all([page.waitForEvent('load'), page.getByTestId('backend-pick').selectOption('wasm')]);
    expect(await runtimeLine(page)).toMatchObject({ backend: 'wasm', how: 'user' });
    expect(await page.getByTestId('backend-reason').innerText()).toBe('Chosen by you in Settings.');
    expect(foreign).toEqual([]);
  }, 180_000);

  it('is cross-origin isolated with the server’s headers, so WebAssembly runs threads: frames on every core where no saliency worker needs one', async () => {
    const { page, violations } = await browsers.open(await browsers.launch(), origin);
    await expectThreaded(page, await runtimeLine(page));
    // Audience mode shows no saliency maps: its frames get every core (2 threads on a 2-core machine).
    await page.goto(`${origin}/audience`);
    const audience = state(page, 'audience-runtime');
    await audience.waitFor({ timeout: 90_000 });
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    expect(Number(await audience.getAttribute('data-threads'))).toBe(wasmThreads(cores, 'analysis', false));
    expect(Number(await audience.getAttribute('data-threads'))).toBeGreaterThan(1);
    expect(await audience.getAttribute('data-threaded')).toBe('true');
    expect(violations).toEqual([]);
  }, 120_000);

  it('analyses in workers: the page’s own thread fetches no model and no WebAssembly', async () => {
    const cameraFile = join(browsers.tmp, 'faces.y4m');
    makeFakeCamera({ ferDir, out: cameraFile, labels: ['happy', 'surprise'] });
    const { page } = await browsers.open(await browsers.launch(fakeCameraFlags(cameraFile)), origin);
    await page.getByRole('button', { name: 'Start camera' }).click({ timeout: 90_000 });
    await page.locator('canvas[data-result*="box"]').waitFor({ timeout: 60_000 });
    // Frames in the analysis worker, saliency maps beside it in their own.
    expect(page.workers().some((worker) => /analysis\.worker/.test(worker.url()))).toBe(true);
    expect(page.workers().some((worker) => /saliency\.worker/.test(worker.url()))).toBe(true);
    // A worker's fetches are in its own performance timeline, not the page's.
    const fetched = await page.evaluate(() => performance.getEntriesByType('resource').map((entry) => entry.name));
    expect(fetched.filter((url) => /\/(models|tfjs-wasm|mediapipe|detector)\//.test(url))).toEqual([]);
    expect(await page.getByTestId('threads').innerText()).toBe(
      String(wasmThreads(await page.evaluate(() => navigator.hardwareConcurrency), 'analysis')),
    );
  }, 120_000);

  it('on a host without the headers, the offline notice offers a reload, and the service worker makes that load cross-origin isolated', async () => {
    const server = await serveStatic([{ url: '/', dir: join(appDir, 'build') }], {}, { isolated: false });
    try {
      const { page } = await browsers.open(await browsers.launch([], 'allow'), server.origin);
      expect(await runtimeLine(page)).toMatchObject({ isolated: false, threaded: false, threads: 1 });
      // The offline notice offers the reload that puts the other cores to work.
      const notice = state(page, 'offline-ready');
      await notice.waitFor({ timeout: 60_000 });
      expect(await notice.innerText()).toMatch(/Reload once to analyse on all \d+ cores/);
      await Promise.all([page.waitForEvent('load'), notice.getByRole('button', { name: 'Reload' }).click()]);
      await expectThreaded(page, await runtimeLine(page));
    } finally {
      await server.close();
    }
  }, 180_000);
});
