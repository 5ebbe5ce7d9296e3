/**
 * A small typed request/response channel over a worker's postMessage: each method takes one
 * structured-clonable argument and resolves with one. Errors cross as plain data (name, message
 * and the fields `toWire` keeps) and are rebuilt on the other side by `fromWire`.
 */

/** What a worker exposes: one-argument async methods. */
export type WorkerApi = { [method: string]: (arg: never) => Promise<unknown> };

/** An error as it crosses the worker boundary. */
export interface WireError {
  name: string;
  message: string;
  /** Extra fields a receiver may use to rebuild a typed error (e.g. which file failed). */
  data?: Record<string, unknown>;
}

/** An error as plain data: its name and message. */
export function toPlainWire(error: unknown): WireError {
  return error instanceof Error ? { name: error.name, message: error.message } : { name: 'Error', message: String(error) };
}

/** An Error rebuilt from its name and message. */
export function fromPlainWire(error: WireError): Error {
  return Object.assign(new Error(error.message), { name: error.name });
}

interface Request {
  id: number;
  method: string;
  arg: unknown;
}

type Response = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: WireError };

/** The endpoint both sides talk through (a Worker, a worker's global scope, or a MessagePort between workers). */
interface Port {
  postMessage(message: unknown, transfer: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
}

/** Where `serve` finds the transferable parts of a result (ImageBitmaps, big buffers); none by default. */
export type Transfers = (value: unknown) => Transferable[];

/** Answers calls arriving on `port` with `api`'s methods (in the worker). */
export function serve(api: WorkerApi, port: Port, toWire: (error: unknown) => WireError, transfers: Transfers = () => []): void {
  port.addEventListener('message', (event: MessageEvent) => {
    const { id, method, arg } = event.data as Request;
    const handler = api[method];
    const run = handler === undefined ? Promise.reject(new Error(`no method ${method}`)) : handler(arg as never);
    const fail = (error: unknown) => port.postMessage({ id, ok: false, error: toWire(error) } satisfies Response, []);
    run.then((value) => {
      try {
        port.postMessage({ id, ok: true, value } satisfies Response, transfers(value));
      } catch (error) {
        // A result that cannot be cloned or transferred: the caller hears why instead of waiting for ever.
        fail(error);
      }
    }, fail);
  });
}

/** Calls into a worker that `serve`s `A` (on the page). */
export class RpcClient<A extends WorkerApi> {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: unknown) => void }>();

  constructor(
    private readonly port: Port,
    private readonly fromWire: (error: WireError) => Error,
  ) {
    port.addEventListener('message', (event: MessageEvent) => {
      const response = event.data as Response;
      const call = this.pending.get(response.id);
      if (call === undefined) return;
      this.pending.delete(response.id);
      if (response.ok) call.resolve(response.value);
      else call.reject(this.fromWire(response.error));
    });
  }

  /** Calls `method`; `transfer` moves ownership of e.g. an ImageBitmap to the worker instead of copying it. */
  call<M extends keyof A & string>(method: M, arg: Parameters<A[M]>[0], transfer: Transferable[] = []): ReturnType<A[M]> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.port.postMessage({ id, method, arg } satisfies Request, transfer);
    }) as ReturnType<A[M]>;
  }

  /** Rejects every call still waiting (the worker was terminated). */
  failPending(error: Error): void {
    for (const call of this.pending.values()) call.reject(error);
    this.pending.clear();
  }
}
