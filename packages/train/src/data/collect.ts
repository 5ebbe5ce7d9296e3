import { NUM_EXPRESSIONS } from '@fer/core';
import type { LabeledImages, LoadReport, SplitName } from './labeledImages.js';

/** FER2013 images are 48x48; everything the loaders return is brought to this size. */
export const IMAGE_SIZE = 48;

/** Bytes per image in {@link LabeledImages.pixels}. */
export const IMAGE_PIXELS = IMAGE_SIZE * IMAGE_SIZE;

/** The one wording used for a skipped input, so strict errors and reports read the same. */
export function describeSkip(skip: { source: string; reason: string }): string {
  return `${skip.source}: ${skip.reason}`;
}

/** The error strict mode raises for an input that would otherwise be skipped, fresh or from the cache. */
export function strictError(skip: { source: string; reason: string }): Error {
  return new Error(`Bad FER2013 input (strict mode): ${describeSkip(skip)}`);
}

/** One form of the data (Kaggle folder or CSV) opened for one split, ready to be decoded or served from cache. */
export interface SplitSource {
  /** Hex digest of everything the split is read from; it changes when the data set changes, which invalidates the cache. */
  fingerprint: string;
  /** The data location as shown in messages. */
  location: string;
  /** Decodes the split into `collector`; `onProgress` counts work units (files or bytes), not images. */
  load(collector: SplitCollector, onProgress?: (done: number, total: number) => void): Promise<void>;
}

/**
 * Accumulates decoded images in load order. Both loaders (folder, CSV) fill it, so the strict/skip
 * policy, growth and the empty-split check live in one place.
 */
export class SplitCollector {
  private pixels: Uint8Array;
  private labels: Uint8Array;
  private readonly sources: string[] = [];
  private readonly skipped: LoadReport['skipped'] = [];
  private resized = 0;

  constructor(
    private readonly split: SplitName,
    private readonly strict: boolean,
    capacity = 1024,
  ) {
    this.pixels = new Uint8Array(Math.max(1, capacity) * IMAGE_PIXELS);
    this.labels = new Uint8Array(Math.max(1, capacity));
  }

  /**
   * The 48x48 slot the next image is written into. Writing there directly saves a copy per image;
   * the slot only counts once {@link commit} is called, so a failed decode leaves no trace.
   */
  slot(): Uint8Array {
    const count = this.sources.length;
    if (count === this.labels.length) {
      const pixels = new Uint8Array(this.pixels.length * 2);
      pixels.set(this.pixels);
      this.pixels = pixels;
      const labels = new Uint8Array(this.labels.length * 2);
      labels.set(this.labels);
      this.labels = labels;
    }
    return this.pixels.subarray(count * IMAGE_PIXELS, (count + 1) * IMAGE_PIXELS);
  }

  /** Keeps the image last written into {@link slot}. */
  commit(label: number, source: string, wasResized: boolean): void {
    this.labels[this.sources.length] = label;
    this.sources.push(source);
    if (wasResized) this.resized++;
  }

  /** Records an input that could not be used; in strict mode that is fatal instead. */
  skip(source: string, reason: string): void {
    const skip = { source, reason };
    if (this.strict) throw strictError(skip);
    this.skipped.push(skip);
  }

  /**
   * The loaded split, ordered by label and, within a label, by input order (a stable counting sort),
   * so both forms give the same order. `location` names the data in the error raised when nothing loaded.
   */
  finish(location: string): { images: LabeledImages; report: LoadReport } {
    const count = this.sources.length;
    if (count === 0) {
      const first = this.skipped[0];
      const why = first === undefined ? '' : ` (${this.skipped.length} inputs skipped, first: ${describeSkip(first)})`;
      throw new Error(`No images for split '${this.split}' in ${location}${why}`);
    }
    const next = new Array<number>(NUM_EXPRESSIONS).fill(0);
    for (let i = 0; i < count; i++) next[this.labels[i]!]! += 1;
    for (let label = 0, start = 0; label < NUM_EXPRESSIONS; label++) {
      const size = next[label]!;
      next[label] = start;
      start += size;
    }
    const pixels = new Uint8Array(count * IMAGE_PIXELS);
    const labels = new Uint8Array(count);
    const sources = new Array<string>(count);
    for (let i = 0; i < count; i++) {
      const label = this.labels[i]!;
      const to = next[label]!;
      next[label] = to + 1;
      pixels.set(this.pixels.subarray(i * IMAGE_PIXELS, (i + 1) * IMAGE_PIXELS), to * IMAGE_PIXELS);
      labels[to] = label;
      sources[to] = this.sources[i]!;
    }
    return {
      images: { split: this.split, size: IMAGE_SIZE, count, pixels, labels, sources },
      report: { loaded: count, skipped: this.skipped, resized: this.resized, cached: false },
    };
  }
}
