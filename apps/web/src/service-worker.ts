/// <reference lib="webworker" />
/**
 * The service worker (built by SvelteKit, its precache list injected by @vite-pwa/sveltekit's
 * injectManifest; registered by hand in lib/pwa/serviceWorker.svelte.ts): the app offline after
 * the first visit, an update waits for the user's go-ahead, and cross-origin isolation where the
 * host sends no COOP/COEP headers (see tools/isolation.ts): everything it serves gets them, so
 * from the second visit on tfjs's WebAssembly runs on every core there too.
 */
import { addPlugins, cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute, type PrecacheEntry } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { withIsolationHeaders } from '$lib/pwa/isolation';

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: (PrecacheEntry | string)[] };

addPlugins([{ handlerWillRespond: ({ response }) => Promise.resolve(withIsolationHeaders(response)) }]);
precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();
// Every page is the prerendered shell's: it routes on the client.
registerRoute(new NavigationRoute(createHandlerBoundToURL('/')));

// workbox-window's messageSkipWaiting, sent when the user accepts the update.
self.addEventListener('message', (event) => {
  if ((event.data as { type?: unknown } | null)?.type === 'SKIP_WAITING') void self.skipWaiting();
});
