import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { createInterface } from 'node:readline';
import { expressionIndexFromCsvCode } from '@fer/core';
import { IMAGE_PIXELS, type SplitSource } from './collect.js';
import type { SplitName } from './labeledImages.js';

const COLUMNS = ['emotion', 'pixels', 'Usage'] as const;

const USAGES: Record<string, SplitName> = { Training: 'train', PublicTest: 'public', PrivateTest: 'private' };

/** Lines between progress reports; a line is one 48x48 image (~9 KB of text). */
const PROGRESS_EVERY = 500;

/**
 * Opens one split of the original fer2013.csv release. The file is ~300 MB, so it is streamed line by
 * line; its size and mtime are the cache fingerprint. Rows are named `<file>:row N`, N being the 1-based
 * line number (the header is row 1), as a spreadsheet shows it.
 */
export async function openCsvSplit(csvPath: string, split: SplitName): Promise<SplitSource> {
  const { size, mtimeMs } = await stat(csvPath);
  const fingerprint = createHash('sha256')
    .update(JSON.stringify({ form: 'csv', split, size, mtimeMs }))
    .digest('hex');
  const name = basename(csvPath);

  return {
    fingerprint,
    location: csvPath,
    async load(collector, onProgress) {
      const stream = createReadStream(csvPath);
      const lines = createInterface({ input: stream, crlfDelay: Infinity });
      try {
        let row = 0;
        let columns: Record<(typeof COLUMNS)[number], number> | undefined;
        let fieldCount = 0;
        for await (const line of lines) {
          row++;
          if (columns === undefined) {
            const header = line
              .replace(/^\uFEFF/, '')
              .split(',')
              .map(unquote);
            columns = parseHeader(header);
            if (columns === undefined) throw malformedHeader(csvPath, line);
            fieldCount = header.length;
            continue;
          }
          if (row % PROGRESS_EVERY === 0) onProgress?.(stream.bytesRead, size);
          if (line.trim() === '') continue;
          const source = `${name}:row ${row}`;
          const fields = line.split(',').map(unquote);
          if (fields.length !== fieldCount) {
            collector.skip(source, `expected ${fieldCount} fields, got ${fields.length}`);
            continue;
          }
          const usage = fields[columns.Usage]!;
          const rowSplit = USAGES[usage];
          if (rowSplit === undefined) {
            collector.skip(source, `unknown Usage '${usage}' (expected ${Object.keys(USAGES).join(', ')})`);
            continue;
          }
          if (rowSplit !== split) continue;
          const emotion = fields[columns.emotion]!;
          const label = /^\d+$/.test(emotion) ? expressionIndexFromCsvCode(Number(emotion)) : undefined;
          if (label === undefined) {
            collector.skip(source, `unknown emotion code '${emotion}' (expected 0-6)`);
            continue;
          }
          const problem = parsePixels(fields[columns.pixels]!, collector.slot());
          if (problem !== undefined) collector.skip(source, problem);
          else collector.commit(label, source, false);
        }
        if (columns === undefined) throw malformedHeader(csvPath, '');
        onProgress?.(size, size);
      } finally {
        lines.close();
        stream.destroy();
      }
    },
  };
}

/** Column positions, or undefined unless each expected column appears exactly once. */
function parseHeader(header: string[]): Record<(typeof COLUMNS)[number], number> | undefined {
  const [emotion = -1, pixels = -1, Usage = -1] = COLUMNS.map((column) => header.indexOf(column));
  if (emotion < 0 || pixels < 0 || Usage < 0 || new Set(header).size !== header.length) return undefined;
  return { emotion, pixels, Usage };
}

function malformedHeader(csvPath: string, line: string): Error {
  return new Error(`Malformed header in ${csvPath}: expected the columns ${COLUMNS.join(',')}, got "${line.slice(0, 200)}"`);
}

function unquote(field: string): string {
  const trimmed = field.trim();
  return trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"') ? trimmed.slice(1, -1) : trimmed;
}

/** Parses space-separated grey levels into `out`; returns why the field is unusable, if it is. */
function parsePixels(text: string, out: Uint8Array): string | undefined {
  let count = 0;
  let value = -1;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 32;
    if (c >= 48 && c <= 57) {
      value = (value < 0 ? 0 : value * 10) + (c - 48);
      if (value > 255) return `pixel ${count + 1} is above 255`;
    } else if (c === 32 || c === 9) {
      if (value >= 0) {
        if (count < IMAGE_PIXELS) out[count] = value;
        count++;
        value = -1;
      }
    } else {
      return `pixel ${count + 1} is not an integer 0-255`;
    }
  }
  return count === IMAGE_PIXELS ? undefined : `expected ${IMAGE_PIXELS} pixel values, got ${count}`;
}
