/** Where the benches serve the analysis worker's bundle: analysisWorker.ts (Node) serves it, benchRuntime.ts (the page) starts it. */
export const ANALYSIS_WORKER_PATH = '/analysis-worker.js';
