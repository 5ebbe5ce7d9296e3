/**
 * The unsure thresholds the app applies, as scripts/choose-unsure-threshold.ts recorded them
 * (unsureThresholds.json, bundled: no request, works offline), and whether they were chosen for
 * the model that is loaded. A model swapped in without rerunning the script keeps working with
 * these thresholds, but the explanation then says they were chosen for another model.
 */
import type { Manifest } from '@fer/core';
import type { UnsureThresholdRecord } from './unsure';
import record from './unsureThresholds.json';

export const UNSURE_RECORD: UnsureThresholdRecord = record;

/** Whether `manifest` describes the model the thresholds were chosen for (same SVM weights). */
export function thresholdsFitModel(manifest: Manifest): boolean {
  return manifest.files[manifest.svm.path]?.sha256 === UNSURE_RECORD.model.svmSha256;
}
