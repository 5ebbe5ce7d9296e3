import { sveltekit } from '@sveltejs/kit/vite';
import { SvelteKitPWA } from '@vite-pwa/sveltekit';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { isolationHeaders } from './tools/isolation';
import { staticMounts } from './tools/staticMounts';

const appDir = fileURLToPath(new URL('.', import.meta.url));
const modulesDir = `${appDir}node_modules/`;
/** The trained artifacts: <repo>/models unless FER_MODELS_DIR names another folder. */
const modelsDir = process.env.FER_MODELS_DIR ?? fileURLToPath(new URL('../../models', import.meta.url));

/**
 * What the service worker precaches of the models: the manifest and the files it lists, which is
 * what loading reads. Anything else in the folder (report.json with the training history, REPORT.md,
 * charts, studies, any retraining files) stays fetchable but is not put into every visitor's storage.
 */
function modelFiles(dir: string): string[] {
  let listed: string[] = [];
  try {
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { files?: Record<string, unknown> };
    listed = Object.keys(manifest.files ?? {});
  } catch {
    // No readable manifest: the app reports that when it loads; precache nothing of the folder but the manifest's URL.
  }
  return ['manifest.json', ...listed].map((path) => `client/models/${path}`);
}

export default defineConfig({
  plugins: [
    // Cross-origin isolated, so tfjs's WebAssembly runs on every core.
    isolationHeaders(),
    staticMounts([
      { url: '/models/', dir: modelsDir },
      // The threaded SIMD build runs when the page is cross-origin isolated, the SIMD one otherwise.
      {
        url: '/tfjs-wasm/',
        dir: `${modulesDir}@tensorflow/tfjs-backend-wasm/dist/`,
        include: (f) => /^tfjs-backend-wasm(-simd|-threaded-simd)?\.wasm$/.test(f),
        required: true,
      },
      // The module build runs in the analysis worker (a module worker has no importScripts); the
      // classic builds serve pages (the detector's browser tests).
      {
        url: '/mediapipe/wasm/',
        dir: `${modulesDir}@mediapipe/tasks-vision/wasm/`,
        include: (f) => /^vision_wasm(_nosimd|_module)?_internal\.(js|wasm)$/.test(f),
        required: true,
      },
    ]),
    sveltekit(),
    SvelteKitPWA({
      // src/service-worker.ts (built by SvelteKit): it adds COOP/COEP where a host sends none.
      strategies: 'injectManifest',
      filename: 'sw.js',
      registerType: 'prompt',
      // Registered by hand with workbox-window (src/lib/pwa/update.svelte.ts) to drive the reload prompt.
      injectRegister: false,
      manifest: {
        name: 'FER: facial expressions, on your device',
        short_name: 'FER',
        description: 'Recognises facial expressions live from your camera or a photo. Nothing leaves your device.',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        orientation: 'any',
        background_color: '#101418',
        theme_color: '#101418',
        icons: [
          { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
          { src: '/icons/maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
      injectManifest: {
        globPatterns: [
          'client/**/*.{js,css,ico,png,svg,webmanifest}',
          'prerendered/**/*.{html,json}',
          ...modelFiles(modelsDir),
          'client/detector/*.tflite',
          'client/tfjs-wasm/*.wasm',
          // The worker's SIMD module build only: every browser this app supports has wasm SIMD;
          // the other 12 MB builds stay fetchable online but are not forced on every visitor's storage.
          'client/mediapipe/wasm/vision_wasm_module_internal.{js,wasm}',
        ],
        // The models' charts match the app's own svg pattern; see modelFiles for what is precached.
        globIgnores: ['server/**', 'client/models/**/*.svg', 'client/mediapipe/wasm/vision_wasm{,_nosimd}_internal.js'],
        // tasks-vision's wasm is ~13 MB; workbox skips files over 2 MB by default.
        maximumFileSizeToCacheInBytes: 16 * 1024 * 1024,
      },
    }),
  ],
  // The analysis worker imports the WebGPU backend on demand: ES-module workers can split chunks.
  worker: { format: 'es' },
  // tfjs alone is ~1.2 MB minified; it loads in the analysis worker.
  build: { chunkSizeWarningLimit: 1500 },
});
