/**
 * Bench module "pipelines": end-to-end FPS and per-stage milliseconds of this app's live pipeline
 * and of the two most used in-browser expression pipelines (@vladmandic/face-api and
 * @vladmandic/human), in one headless Chromium page, on one fake camera of real FER2013 faces,
 * all on tfjs's wasm backend (one copy of tfjs for all three), everything served from localhost.
 */
import { existsSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { makeFakeCamera } from '../../scripts/make-fake-camera';
import { CHROMIUM_FLAGS, chromiumPath, fakeCameraFlags } from '../../test/helpers/chromium.js';
import { browserBundle } from '../../tools/browserBundle';
import { analysisWorkerFiles } from '../analysisWorker';
import { serveStatic } from '../../tools/staticServer';
import { browserBenchSkipReason } from '../requirements';
import type { BenchModule } from '../types';
import { BENCH_URLS } from './adapter';
import { PIPELINE_IDS, type PipelineRun } from './protocol';
import { pipelinesMarkdown, summarise, type PipelinesResult } from './summary';

const appDir = fileURLToPath(new URL('../..', import.meta.url));

/**
 * A package's folder as Node would find it from `from` (the app, or another package's folder, for
 * that package's own dependencies). By folder, not require.resolve: the peers' package.json
 * `exports` hide their dist/ and model files.
 */
function packageDir(name: string, from = appDir): string {
  for (let dir = realpathSync(from); ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return realpathSync(candidate);
    if (dirname(dir) === dir) throw new Error(`${name} is not installed (looked from ${from}); run pnpm install`);
  }
}

/** The camera: 30 fps, so the camera's rate is not what limits the pipelines. */
const CAMERA = { fps: 30, secondsEach: 2, emptyScene: false, labels: ['happy', 'surprise', 'neutral'] };
const WARMUP_MS = 3000;

/**
 * One tfjs for the app and both peers: their "nobundle" builds import tfjs's packages, which are
 * pointed at the copies @tensorflow/tfjs itself uses (a second tfjs in the page would share the
 * global engine with the first and mix backends).
 */
function tfjsAliases(): Record<string, string> {
  const tfjs = packageDir('@tensorflow/tfjs');
  const aliases: Record<string, string> = { '@tensorflow/tfjs': tfjs };
  for (const name of ['@tensorflow/tfjs-core', '@tensorflow/tfjs-converter', '@tensorflow/tfjs-backend-cpu', '@tensorflow/tfjs-backend-webgl']) {
    aliases[name] = packageDir(name, tfjs);
  }
  aliases['@tensorflow/tfjs-backend-wasm'] = packageDir('@tensorflow/tfjs-backend-wasm');
  // Only human imports it; its webgpu backend stays unused (the bench runs wasm).
  aliases['@tensorflow/tfjs-backend-webgpu'] = packageDir('@tensorflow/tfjs-backend-webgpu');
  return aliases;
}

function bundlePage(): Promise<string> {
  return browserBundle(fileURLToPath(new URL('./page.ts', import.meta.url)), {
    alias: {
      ...tfjsAliases(),
      $lib: join(appDir, 'src/lib'),
      '@vladmandic/face-api': join(packageDir('@vladmandic/face-api'), 'dist/face-api.esm-nobundle.js'),
      '@vladmandic/human': join(packageDir('@vladmandic/human'), 'dist/human.esm-nobundle.js'),
    },
  });
}

export const pipelinesBench: BenchModule<PipelinesResult> = {
  name: 'pipelines',
  description: 'live expression pipelines on a fake FER2013 camera: this app vs @vladmandic/face-api vs @vladmandic/human',

  skipReason: browserBenchSkipReason,

  async run({ ferDir, modelsDir, tmp, seconds, log }) {
    const cameraFile = join(tmp, 'pipelines.y4m');
    makeFakeCamera({ ferDir, out: cameraFile, ...CAMERA });
    const page = await bundlePage();
    const modules = join(appDir, 'node_modules');
    const server = await serveStatic(
      [
        // The app's own layout (vite.config.ts), so its runtime loads unchanged.
        { url: '/models/', dir: modelsDir },
        { url: BENCH_URLS.tfjsWasm, dir: join(packageDir('@tensorflow/tfjs-backend-wasm'), 'dist'), include: (f) => f.endsWith('.wasm') },
        { url: '/mediapipe/wasm/', dir: join(modules, '@mediapipe/tasks-vision/wasm') },
        { url: '/detector/', dir: join(appDir, 'static/detector') },
        // The peers' models, as their npm packages ship them.
        { url: BENCH_URLS.faceApiModels, dir: join(packageDir('@vladmandic/face-api'), 'model') },
        { url: BENCH_URLS.humanModels, dir: join(packageDir('@vladmandic/human'), 'models') },
      ],
      {
        '/': { type: 'text/html', body: '<!doctype html><html><body><script type="module" src="/bench.js"></script></body></html>' },
        '/bench.js': { type: 'text/javascript', body: page },
        ...(await analysisWorkerFiles()),
      },
    );
    const browser = await chromium.launch({
      executablePath: chromiumPath,
      headless: true,
      args: [...CHROMIUM_FLAGS, ...fakeCameraFlags(cameraFile)],
    });
    const foreignRequests: string[] = [];
    try {
      const context = await browser.newContext();
      // Nothing may leave localhost: record and block anything else.
      await context.route('**/*', (route) => {
        const url = route.request().url();
        if (url.startsWith(server.origin)) return route.continue();
        foreignRequests.push(url);
        return route.abort('blockedbyclient');
      });
      const tab = await context.newPage();
      const errors: string[] = [];
      tab.on('pageerror', (error) => errors.push(error.message));
      await tab.goto(`${server.origin}/`);
      await tab.waitForFunction(() => typeof window.runPipeline === 'function');
      const runs: PipelineRun[] = [];
      for (const id of PIPELINE_IDS) {
        log(`pipelines: ${id} (${WARMUP_MS / 1000} s warm-up, ${seconds} s measured)`);
        runs.push(await tab.evaluate((plan) => window.runPipeline(plan), { id, warmupMs: WARMUP_MS, measureMs: seconds * 1000 }));
      }
      if (errors.length > 0) throw new Error(`the bench page failed: ${errors.join('; ')}`);
      return summarise(runs, { camera: { ...CAMERA, width: 640, height: 480 }, warmupMs: WARMUP_MS, browser: browser.version(), foreignRequests });
    } finally {
      await browser.close();
      await server.close();
    }
  },

  markdown: pipelinesMarkdown,
};
