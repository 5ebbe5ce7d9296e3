/** Where the benches serve the app's workers' bundles: analysisWorker.ts (Node) serves them, benchRuntime.ts (the page) starts them. */
export const ANALYSIS_WORKER_PATH = '/analysis-worker.js';
export const SALIENCY_WORKER_PATH = '/saliency-worker.js';
