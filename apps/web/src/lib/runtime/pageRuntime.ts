import { AnalysisClient, type AnalysisStartOptions, type AppRuntime } from '../analysis/analysisClient';
import { backendRequest, rememberChoice } from './backendStore';
import { runtimeUrls } from './runtime';

/** What a page shows while its runtime loads. */
export type PageLoad<T> = { state: 'loading' } | ({ state: 'ready'; runtime: AppRuntime } & T) | { state: 'failed'; error: unknown };

/**
 * Starts the analysis worker (tfjs backend per `?backend=`, Settings or measurement; classifier;
 * detector) and, unless `options.saliency` is false, the saliency worker, together with the page's
 * views, imported on demand so that the shell paints first. Call from onMount and return the
 * cleanup it gives: that stops the workers when the page goes, even ones that only start afterwards.
 */
export function mountRuntime<V extends object>(
  base: string,
  views: () => Promise<V>,
  onload: (load: PageLoad<V>) => void,
  options: Pick<AnalysisStartOptions, 'saliency'> = {},
): () => void {
  let runtime: AppRuntime | undefined;
  let closed = false;
  const load = async () => {
    const [loaded, started] = await Promise.all([views(), AnalysisClient.start(runtimeUrls(base), backendRequest(location.search), options)]);
    rememberChoice(started.backend);
    return { ...loaded, runtime: started };
  };
  load().then(
    (app) => {
      runtime = app.runtime;
      if (closed) app.runtime.analysis.terminate();
      else onload({ state: 'ready', ...app });
    },
    (error: unknown) => onload({ state: 'failed', error }),
  );
  return () => {
    closed = true;
    runtime?.analysis.terminate();
  };
}
