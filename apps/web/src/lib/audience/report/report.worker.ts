/// <reference lib="webworker" />
/**
 * The report worker: computes the report of the session on screen (reportData.ts) off the main
 * thread, which reading every frame of a long session would hold for hundreds of milliseconds at
 * each redraw. The page sends only the frames appended since its last update (reportClient.ts).
 */
import { serve, toPlainWire } from '../../analysis/rpc';
import { createReportApi } from './reportData';

declare const self: DedicatedWorkerGlobalScope;

serve(createReportApi(), self, toPlainWire);
