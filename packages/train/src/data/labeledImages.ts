/**
 * The loaders' data types, apart from the loaders (dataset.ts) so that the form-specific readers
 * (folder.ts, csv.ts) and the cache can use them without importing the module that imports them.
 */

/** The challenge's three splits: Training, PublicTest and PrivateTest (validation is carved from Training: validationSplit.ts). */
export type SplitName = 'train' | 'public' | 'private';

/** One split decoded into flat buffers, the shape tensors are built from without further copies. */
export interface LabeledImages {
  split: SplitName;
  size: 48;
  count: number;
  /** count*48*48 grey levels, image after image, row-major. */
  pixels: Uint8Array;
  /** Class index of each image, in EXPRESSIONS order (not the CSV's emotion codes). */
  labels: Uint8Array;
  /** Where each image came from, for tracing a bad sample: a path relative to the data root, or 'fer2013.csv:row N'. */
  sources: string[];
}

/** What a load did besides returning images, so the CLI can say how trustworthy the data is. */
export interface LoadReport {
  loaded: number;
  /** Inputs left out (undecodable JPEG, bad CSV row, ...) with the reason; empty in strict mode. */
  skipped: { source: string; reason: string }[];
  /** Images that were not 48x48 and were resized by area averaging. */
  resized: number;
  /** True when the split came from the decoded-data cache rather than from the data set itself. */
  cached: boolean;
}
