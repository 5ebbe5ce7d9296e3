import type { Connect, Plugin } from 'vite';

/**
 * Cross-origin isolation: with these headers tfjs runs its threaded SIMD WebAssembly on every
 * core. Sent by vite dev and preview (`isolationHeaders`) and the test and bench server
 * (staticServer.ts); static/_headers asks static hosts for the same, and the service worker adds
 * them where a host sends none. Everything the app loads is on its own origin, so require-corp
 * blocks nothing.
 */
export const ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

const setHeaders: Connect.NextHandleFunction = (_req, res, next) => {
  for (const [name, value] of Object.entries(ISOLATION_HEADERS)) res.setHeader(name, value);
  next();
};

/**
 * ISOLATION_HEADERS on every response of vite dev and preview. A plugin, not `server.headers` /
 * `preview.headers`: vite applies those in its own static middleware only, which SvelteKit's
 * preview replaces, and not in other plugins' middlewares (the static mounts).
 */
export function isolationHeaders(): Plugin {
  return {
    name: 'fer-isolation-headers',
    configureServer: (server) => void server.middlewares.use(setHeaders),
    configurePreviewServer: (server) => void server.middlewares.use(setHeaders),
  };
}
