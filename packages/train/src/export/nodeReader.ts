import { readFile, realpath } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import { ArtifactError, artifactPathProblem, type ArtifactReader } from '@fer/core';

/** Whether `path` is `folder` or below it. */
function inside(path: string, folder: string): boolean {
  const rel = relative(folder, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

/**
 * An ArtifactReader over a folder on disk (the Node counterpart of core's fetchReader). It reads
 * nothing outside the folder: the path must be a plain relative one (core's artifactPathProblem), and
 * after symbolic links are resolved the file must still lie inside the folder.
 */
export function folderReader(folder: string): ArtifactReader {
  const root = resolve(folder);
  return async (relativePath) => {
    const problem = artifactPathProblem(relativePath);
    const path = resolve(root, relativePath);
    if (problem !== undefined || !inside(path, root)) {
      throw new ArtifactError(relativePath, 'invalid', `not a path inside ${root}: ${problem ?? 'it resolves outside the folder'}`);
    }
    try {
      const real = await realpath(path);
      if (!inside(real, await realpath(root))) throw new ArtifactError(relativePath, 'invalid', `is a link to ${real}, outside ${root}`);
      return await readFile(real);
    } catch (error) {
      if (error instanceof ArtifactError) throw error;
      const code = (error as NodeJS.ErrnoException).code;
      throw new Error(code === 'ENOENT' ? `no such file in ${root}` : (error as Error).message, { cause: error });
    }
  };
}
