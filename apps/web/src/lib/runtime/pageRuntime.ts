import type { Runtime } from './runtime.js';

/** What a page shows while its runtime loads. */
export type PageLoad<T> = { state: 'loading' } | ({ state: 'ready'; runtime: Runtime } & T) | { state: 'failed'; error: unknown };

/** Frees the classifier's tensors and the detector's wasm graph. */
export function disposeRuntime(runtime: Runtime): void {
  runtime.classifier.dispose();
  runtime.detector.close();
}

/**
 * Loads the runtime (tfjs backend from `?backend=`, classifier, detector) together with the page's
 * views, both imported on demand: tfjs is ~1.2 MB, and the shell should paint before it arrives.
 * Call from onMount and return the cleanup it gives: that releases the runtime when the page goes,
 * even one that only arrives afterwards.
 */
export function mountRuntime<V extends object>(base: string, views: () => Promise<V>, onload: (load: PageLoad<V>) => void): () => void {
  let runtime: Runtime | undefined;
  let closed = false;
  const load = async () => {
    const [{ loadRuntime, runtimeUrls }, { backendOverride }, loaded] = await Promise.all([
      import('./runtime.js'),
      import('./tfBackend.js'),
      views(),
    ]);
    return { ...loaded, runtime: await loadRuntime(runtimeUrls(base), backendOverride(location.search)) };
  };
  load().then(
    (app) => {
      runtime = app.runtime;
      if (closed) disposeRuntime(app.runtime);
      else onload({ state: 'ready', ...app });
    },
    (error: unknown) => onload({ state: 'failed', error }),
  );
  return () => {
    closed = true;
    if (runtime !== undefined) disposeRuntime(runtime);
  };
}
