import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
  preprocess: vitePreprocess(),
  compilerOptions: { runes: true },
  kit: {
    adapter: adapter({ strict: true }),
    // src/service-worker.ts is registered by the app (lib/pwa/serviceWorker.svelte.ts, as sw.js).
    serviceWorker: { register: false },
    // Privacy: the app talks to its own origin only. MediaPipe's tasks-vision posts usage
    // telemetry to a Google host; connect-src 'self' blocks it. Prerendered pages carry this
    // as a <meta> tag with hashes of SvelteKit's inline bootstrap script.
    csp: {
      mode: 'hash',
      directives: {
        'default-src': ['self'],
        'script-src': ['self', 'wasm-unsafe-eval'],
        'worker-src': ['self', 'blob:'],
        'connect-src': ['self'],
        'img-src': ['self', 'blob:', 'data:'],
        'media-src': ['self', 'blob:'],
        // Svelte sets style attributes at run time (bar widths); styles carry no data out.
        'style-src': ['self', 'unsafe-inline'],
        'font-src': ['self'],
        'manifest-src': ['self'],
        'object-src': ['none'],
        'base-uri': ['self'],
        'form-action': ['self'],
      },
    },
  },
};

export default config;
