import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { ArtifactReader } from '@fer/core';

/** An ArtifactReader over a folder on disk (the Node counterpart of core's fetchReader). */
export function folderReader(folder: string): ArtifactReader {
  const root = resolve(folder);
  return async (relativePath) => {
    try {
      return await readFile(join(root, relativePath));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new Error(code === 'ENOENT' ? `no such file in ${root}` : (error as Error).message, { cause: error });
    }
  };
}
