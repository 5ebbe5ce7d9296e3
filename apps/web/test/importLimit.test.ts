import { describe, expect, it } from 'vitest';
import { ImportError, MAX_IMPORT_BYTES, readSessionFile } from '../src/lib/audience/exportFormats';

describe('session import size limit (issue 26)', () => {
  it('refuses a file over the limit before reading it, saying the limit', async () => {
    let read = false;
    const huge = {
      size: MAX_IMPORT_BYTES + 1,
      text: () => {
        read = true;
        return Promise.resolve('{}');
      },
    };
    const error = await readSessionFile(huge).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImportError);
    expect((error as Error).message).toMatch(/This file is 64\.0 MB; session files over 64\.0 MB can't be imported/);
    expect(read).toBe(false);
  });

  it('reads a file within the limit (and still refuses what is not a session)', async () => {
    await expect(readSessionFile(new Blob(['not json']))).rejects.toThrow(/not JSON/);
    await expect(readSessionFile(new Blob(['x'.repeat(20)]), 10)).rejects.toThrow(/session files over 0\.0 MB/);
  });
});
