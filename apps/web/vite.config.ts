import { sveltekit } from '@sveltejs/kit/vite';
import { SvelteKitPWA } from '@vite-pwa/sveltekit';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
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
    staticMounts([
      { url: '/models/', dir: modelsDir },
      // Only the unthreaded builds: threads need cross-origin isolation, which static hosting can't promise.
      {
        url: '/tfjs-wasm/',
        dir: `${modulesDir}@tensorflow/tfjs-backend-wasm/dist/`,
        include: (f) => /^tfjs-backend-wasm(-simd)?\.wasm$/.test(f),
        required: true,
      },
      {
        url: '/mediapipe/wasm/',
        dir: `${modulesDir}@mediapipe/tasks-vision/wasm/`,
        include: (f) => /^vision_wasm(_nosimd)?_internal\.(js|wasm)$/.test(f),
        required: true,
      },
    ]),
    sveltekit(),
    SvelteKitPWA({
      strategies: 'generateSW',
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
      workbox: {
        globPatterns: [
          'client/**/*.{js,css,ico,png,svg,webmanifest}',
          'prerendered/**/*.{html,json}',
          ...modelFiles(modelsDir),
          'client/detector/*.tflite',
          'client/tfjs-wasm/*.wasm',
          // The SIMD build only: every browser this app supports has wasm SIMD; the 12 MB
          // fallback stays fetchable online but is not forced on every visitor's storage.
          'client/mediapipe/wasm/vision_wasm_internal.{js,wasm}',
        ],
        // The models' charts match the app's own svg pattern; see modelFiles for what is precached.
        globIgnores: ['server/**', 'client/mediapipe/wasm/vision_wasm_nosimd_internal.js', 'client/models/**/*.svg'],
        // tasks-vision's wasm is ~13 MB; workbox skips files over 2 MB by default.
        maximumFileSizeToCacheInBytes: 16 * 1024 * 1024,
        navigateFallback: '/',
        cleanupOutdatedCaches: true,
      },
    }),
  ],
  // tfjs alone is ~1.2 MB minified; it loads after the shell (see routes/+page.svelte).
  build: { chunkSizeWarningLimit: 1500 },
});
