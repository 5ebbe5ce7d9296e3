/**
 * What the end-to-end suites share: where the app, models and FER2013 are, why the suite must be
 * skipped, and fresh Chromium profiles opening the built app (served once for all files by
 * test/e2e/globalSetup.ts).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { defaultFerDir } from '../../scripts/make-fake-camera';
import { CHROMIUM_FLAGS, chromiumPath } from './chromium.js';

/** Re-exported: the e2e suites take everything browser-related from here. */
export { fakeCameraFlags } from './chromium.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Origin of `vite preview` serving the fresh build; empty when the suite is skipped. */
    appOrigin: string;
  }
}

export const appDir = fileURLToPath(new URL('../..', import.meta.url));
export const repoDir = resolve(appDir, '../..');
export const modelsDir = process.env.FER_MODELS_DIR ?? join(repoDir, 'models');
export const ferDir = defaultFerDir();

/** Why the browser suites cannot run here, or undefined when they can. */
export const e2eSkipReason: string | undefined = !existsSync(chromiumPath)
  ? `no Chromium at ${chromiumPath} (apt-get install chromium, or set CHROMIUM_PATH)`
  : !existsSync(join(modelsDir, 'manifest.json'))
    ? `no trained model in ${modelsDir} (run pnpm train, or set FER_MODELS_DIR)`
    : !existsSync(join(ferDir, 'test'))
      ? `FER2013 not found at ${ferDir} (set FER2013_DIR)`
      : undefined;

/** The element carrying `data-state="name"` (status cards, notes, toasts). */
export const state = (page: Page, name: string): Locator => page.locator(`[data-state="${name}"]`);

/** An opened app page and what it did that it must not. */
export interface OpenedApp {
  page: Page;
  /** Requests to any other origin. */
  foreign: string[];
  /** Content-Security-Policy violations reported on the console. */
  violations: string[];
}

/** Chromium profiles for one test file, in a temp folder removed with them. */
export class Browsers {
  private folder: string | undefined;
  private readonly contexts: BrowserContext[] = [];

  /** A temp folder for this file's profiles and generated media; made on first use. */
  get tmp(): string {
    this.folder ??= mkdtempSync(join(tmpdir(), 'fer-e2e-'));
    return this.folder;
  }

  /** Service workers only where a test needs one: its "offline" toast would cover buttons others click. */
  async launch(args: string[] = [], serviceWorkers: 'allow' | 'block' = 'block'): Promise<BrowserContext> {
    const context = await chromium.launchPersistentContext(mkdtempSync(join(this.tmp, 'profile-')), {
      executablePath: chromiumPath,
      headless: true,
      args: [...CHROMIUM_FLAGS, ...args],
      serviceWorkers,
      viewport: { width: 480, height: 900 },
    });
    this.contexts.push(context);
    return context;
  }

  /** Opens `origin` + `path` (the app on wasm by default) and records foreign requests and CSP violations. */
  async open(context: BrowserContext, origin: string, path = '/?backend=wasm'): Promise<OpenedApp> {
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
    await page.goto(origin + path);
    return { page, foreign, violations };
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.contexts.map((c) => c.close()));
    if (this.folder !== undefined) rmSync(this.folder, { recursive: true, force: true });
  }
}
