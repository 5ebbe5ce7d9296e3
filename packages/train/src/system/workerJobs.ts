import type { Worker } from 'node:worker_threads';
import { typeScriptWorker } from './tsxLoader.js';

/**
 * One-shot worker threads (TypeScript modules, see typeScriptWorker), each run to its answer. A
 * caller that runs several at once stops the rest with `stopAll` when one fails, so that a failed
 * command ends at once instead of waiting minutes for work whose result is lost.
 */
export class WorkerJobs {
  private readonly live = new Set<Worker>();

  /**
   * Starts `module` with `workerData` and resolves with what `settle` makes of the first message it
   * returns a value for (undefined: not yet, e.g. a progress report); `settle` throws for a reply that
   * reports an error. Rejects with "`what` failed: reason" on that, on an uncaught error or an early exit.
   */
  run<Reply, Result>(module: URL, workerData: unknown, what: string, settle: (reply: Reply) => Result | undefined): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      const worker = typeScriptWorker(module, { workerData });
      this.live.add(worker);
      const fail = (why: string) => reject(new Error(`${what} failed: ${why}`));
      worker.on('message', (reply: Reply) => {
        let result: Result | undefined;
        try {
          result = settle(reply);
          if (result === undefined) return;
          resolve(result);
        } catch (error) {
          fail(error instanceof Error ? error.message : String(error));
        }
        void worker.terminate();
      });
      worker.once('error', (error) => fail(error.message));
      worker.once('exit', (code) => {
        this.live.delete(worker);
        fail(`its worker exited with code ${code}`);
      });
    });
  }

  /** Terminates every worker still running. */
  stopAll(): void {
    for (const worker of this.live) void worker.terminate();
  }
}
