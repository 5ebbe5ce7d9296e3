/**
 * Data-parallel training across cores. The wasm backend runs one thread per process, so one
 * training process leaves every other core idle. Each extra replica is a worker thread with its
 * own wasm instance: per step it receives the main thread's weights and a share of the batch,
 * and returns that share's gradients, which the main thread averages and applies once.
 * Weights (2.4 MB for the default CNN) cross threads every step; that costs ~1 ms against a
 * step of ~0.5 s.
 */
import type { Worker } from 'node:worker_threads';
import type { InputSpec } from '@fer/core';
import type { BackendPreference } from '../backend/selectBackend.js';
import type { CnnConfig } from '../model/cnn.js';
import { typeScriptWorker } from '../system/tsxLoader.js';
import type { LossConfig, ShareGradients, TrainingShare } from './gradients.js';

/** What a worker needs to build its replica (sent once, as workerData). */
export interface ReplicaSetup {
  cnn: CnnConfig;
  input: InputSpec;
  loss: LossConfig;
  backend: Exclude<BackendPreference, 'auto'>;
}

/** One step's work for one worker. */
export interface ReplicaStep {
  weights: Float32Array[];
  share: TrainingShare;
  /** Seeds the worker's dropout for this step, so runs (and resumes) are reproducible. */
  seedKey: string;
}

export type ReplicaReply = { kind: 'ready'; backend: string } | { kind: 'gradients'; share: ShareGradients } | { kind: 'error'; message: string };

const WORKER_URL = new URL('./replicaWorker.ts', import.meta.url);

class Replica {
  private pending: { resolve: (reply: ReplicaReply) => void; reject: (error: Error) => void } | undefined;
  private failure: Error | undefined;

  constructor(
    readonly index: number,
    private readonly worker: Worker,
  ) {
    worker.on('message', (reply: ReplicaReply) => this.settle((p) => p.resolve(reply)));
    worker.on('error', (error) => this.fail(error));
    worker.on('exit', (code) => this.fail(new Error(`exited with code ${code}`)));
  }

  private settle(action: (pending: NonNullable<Replica['pending']>) => void): void {
    const pending = this.pending;
    this.pending = undefined;
    if (pending !== undefined) action(pending);
  }

  private fail(error: Error): void {
    this.failure ??= new Error(`training replica ${this.index} (worker thread) failed: ${error.message}`);
    this.settle((p) => p.reject(this.failure as Error));
  }

  /** The worker's next reply; sends `message` first when given. */
  request(message?: ReplicaStep): Promise<ReplicaReply> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      if (message !== undefined) this.worker.postMessage(message);
    });
  }

  async terminate(): Promise<void> {
    this.failure ??= new Error('closed');
    await this.worker.terminate();
  }
}

function unwrap(reply: ReplicaReply, index: number): ShareGradients {
  if (reply.kind === 'gradients') return reply.share;
  const problem = reply.kind === 'error' ? reply.message : `unexpected '${reply.kind}' reply`;
  throw new Error(`training replica ${index} failed: ${problem}`);
}

/** Worker-thread replicas that compute gradients for their shares of each batch. */
export class ReplicaPool {
  private constructor(private readonly replicas: Replica[]) {}

  /** Starts `count` worker replicas and waits until each has its backend and model ready. */
  static async start(count: number, setup: ReplicaSetup): Promise<ReplicaPool> {
    const replicas = Array.from({ length: count }, (_, i) => {
      return new Replica(i + 1, typeScriptWorker(WORKER_URL, { workerData: setup }));
    });
    const pool = new ReplicaPool(replicas);
    try {
      await Promise.all(
        replicas.map(async (replica) => {
          const reply = await replica.request();
          if (reply.kind !== 'ready') unwrap(reply, replica.index);
        }),
      );
    } catch (error) {
      await pool.close();
      throw error;
    }
    return pool;
  }

  /** Number of worker replicas (the main thread is one more). */
  get size(): number {
    return this.replicas.length;
  }

  /** Sends one share to each worker (in order) and resolves with their gradients. */
  gradients(shares: readonly Omit<ReplicaStep, 'weights'>[], weights: Float32Array[]): Promise<ShareGradients[]> {
    if (shares.length !== this.replicas.length) {
      throw new Error(`${shares.length} shares for ${this.replicas.length} replicas`);
    }
    return Promise.all(
      this.replicas.map(async (replica, i) =>
        unwrap(await replica.request({ ...(shares[i] as Omit<ReplicaStep, 'weights'>), weights }), replica.index),
      ),
    );
  }

  async close(): Promise<void> {
    await Promise.all(this.replicas.map((replica) => replica.terminate()));
  }
}
