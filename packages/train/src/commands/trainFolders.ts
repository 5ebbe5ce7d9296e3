/**
 * What `fer train` settles about its folders before loading data or training: the run is locked
 * against a second training on it, writes interrupted earlier (in the run and in --out) are
 * recovered, and --out is checked (outFolder.ts), so every mistake about folders fails in seconds.
 */
import { join } from 'node:path';
import { checkExportTarget } from '../export/outFolder.js';
import { recoverSwapsIn } from '../system/fsAtomic.js';
import { acquireLock, type HeldLock } from '../system/runLock.js';

/** Returns the run's lock, held until it is released or the process exits. */
export async function prepareTrainFolders(options: { out: string; run: string; force?: boolean }): Promise<HeldLock> {
  const lock = await acquireLock(options.run);
  try {
    for (const folder of [options.run, join(options.run, 'snapshots')]) {
      for (const line of await recoverSwapsIn(folder)) console.error(line);
    }
    await checkExportTarget({ out: options.out, run: options.run, force: options.force ?? false });
    return lock;
  } catch (error) {
    lock.release();
    throw error;
  }
}
