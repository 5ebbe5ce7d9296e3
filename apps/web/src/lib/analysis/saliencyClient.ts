/**
 * The analysis worker's side of the saliency worker (saliency.worker.ts): hands it face crops and
 * gets their maps back, while the analysis worker goes on with the next frames.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Saliency } from '../pipeline/analyze';
import type { BackendName } from '../runtime/backendChoice';
import type { RuntimeUrls } from '../runtime/runtime';
import type { CropPixels, SaliencyApi } from './protocol';
import { fromPlainWire, RpcClient } from './rpc';

/** Grey crops [N,H,W,1] as plain data, to send to the saliency worker. */
export async function cropPixels(crops: tf.Tensor4D): Promise<CropPixels> {
  const [count, height, width] = crops.shape;
  // A copy of its own: the buffer is transferred.
  return { pixels: (await crops.data<'float32'>()).slice(), count, height, width };
}

/** Why a page without a saliency worker (audience mode) shows no maps. */
export const NO_SALIENCY_WORKER = 'this page starts no saliency worker';

export class SaliencyClient {
  private failure: Error | undefined;

  private constructor(
    private readonly rpc: RpcClient<SaliencyApi>,
    private readonly ready: Promise<void>,
  ) {}

  /** Talks to the saliency worker at the other end of `port`, which starts loading the classifier on `backend` now. */
  static connect(port: MessagePort, urls: RuntimeUrls, backend: BackendName): SaliencyClient {
    const rpc = new RpcClient<SaliencyApi>(port, fromPlainWire);
    port.start();
    const ready = rpc.call('init', { urls, backend });
    // Handled here so that a failure before the first map is not reported as unhandled; maps() rethrows it.
    ready.catch(() => undefined);
    return new SaliencyClient(rpc, ready);
  }

  /** One map per crop, explaining the class given for it; rejects with why saliency is unavailable. */
  async maps(crops: CropPixels, classIndices: readonly number[]): Promise<Saliency[]> {
    if (this.failure !== undefined) throw this.failure;
    await this.ready;
    return this.rpc.call('maps', { crops, classIndices: [...classIndices] }, [crops.pixels.buffer]);
  }

  /**
   * The saliency worker is gone (only the page hears a worker fail, and tells the analysis worker):
   * calls waiting for it, `ready` among them, and every later one reject with `message`.
   */
  fail(message: string): void {
    this.failure = new Error(`the saliency worker failed: ${message}`);
    this.rpc.failPending(this.failure);
  }
}
