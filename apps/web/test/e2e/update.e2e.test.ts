/**
 * The service worker update prompt (UpdatePrompt.svelte): a visitor with the app installed gets
 * the new version only when they choose to. Serves a copy of the fresh build (version A), then
 * turns it into version B the way a deploy would (a changed page, and a sw.js whose precache
 * manifest says so), and checks the prompt appears and Reload brings B in.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { serveStatic } from '../../tools/staticServer';
import { Browsers, appDir, e2eSkipReason, state } from '../helpers/e2eApp';

/** Version B's mark in the page. */
const MARK = '<meta name="fer-test-build" content="B">';

/** Edits the served copy into version B: a new index.html, and a sw.js precaching it. */
function deployVersionB(site: string): void {
  const index = join(site, 'index.html');
  writeFileSync(index, readFileSync(index, 'utf8').replace('<head>', `<head>${MARK}`));
  const sw = join(site, 'sw.js');
  const before = readFileSync(sw, 'utf8');
  // The app shell's precache entry; workbox fetches an entry again when its revision changes.
  const after = before.replace(/\{"revision":"[0-9a-f]+","url":"\/"\}/, '{"revision":"version-b","url":"/"}');
  if (after === before) throw new Error('no precache entry for "/" in sw.js: the workbox build changed');
  writeFileSync(sw, after);
}

/** The build mark of the document the page shows, or undefined while it navigates. */
async function buildMark(page: Page): Promise<string | null | undefined> {
  try {
    return await page.evaluate(() => document.querySelector('meta[name="fer-test-build"]')?.getAttribute('content') ?? null);
  } catch {
    return undefined; // the execution context went away with a reload
  }
}

describe.skipIf(e2eSkipReason !== undefined)('updating the installed app', () => {
  const browsers = new Browsers();
  afterAll(() => browsers.closeAll());

  it('prompts when a new version is ready, keeps the old one until asked, and Reload runs the new one', async () => {
    const site = join(browsers.tmp, 'site');
    cpSync(join(appDir, 'build'), site, { recursive: true });
    const server = await serveStatic([{ url: '/', dir: site }]);
    try {
      const { page } = await browsers.open(await browsers.launch([], 'allow'), server.origin);
      await state(page, 'offline-ready').waitFor({ timeout: 60_000 });
      expect(await buildMark(page)).toBeNull();

      deployVersionB(site);
      await page.reload();
      const prompt = state(page, 'update-ready');
      await prompt.waitFor({ timeout: 30_000 });
      // B is installed and waiting; the page still runs A.
      expect(await buildMark(page)).toBeNull();

      await prompt.getByRole('button', { name: 'Reload' }).click();
      await expect.poll(() => buildMark(page), { timeout: 30_000 }).toBe('B');
      await state(page, 'camera-idle').waitFor({ timeout: 60_000 });
      expect(await prompt.count()).toBe(0);
    } finally {
      await server.close();
    }
  }, 150_000);
});
