import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/**
 * Writes a folder of files so that `target` is, at every moment, either the old complete
 * folder or the new complete one: files go to a sibling temp folder, `verify` runs on it,
 * then two renames swap it in. Interrupted or failed writes leave the old folder untouched.
 */
export async function writeFolderAtomically(
  target: string,
  files: ReadonlyMap<string, Uint8Array | string>,
  verify: (tempFolder: string) => Promise<void> = async () => {},
): Promise<void> {
  const temp = `${target}.tmp-${process.pid}`;
  const old = `${target}.old-${process.pid}`;
  await rm(temp, { recursive: true, force: true });
  try {
    for (const [relativePath, content] of files) {
      const path = join(temp, relativePath);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, content);
    }
    await verify(temp);
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
  await rename(target, old).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
  await rename(temp, target);
  await rm(old, { recursive: true, force: true });
}
