import { MessageChannel } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { fromPlainWire, RpcClient, serve, toPlainWire, type WorkerApi } from '../src/lib/analysis/rpc';

interface TestApi extends WorkerApi {
  echo(value: number): Promise<number>;
  fail(message: string): Promise<never>;
  unclonable(value: number): Promise<{ value: number; callback: () => void }>;
}

const channels: MessageChannel[] = [];
afterEach(() => {
  for (const { port1, port2 } of channels.splice(0)) {
    port1.close();
    port2.close();
  }
});

/** A client of `api` served at the other end of a channel, as between the app's workers. */
function connect(api: TestApi): RpcClient<TestApi> {
  const channel = new MessageChannel();
  channels.push(channel);
  serve(api, channel.port2 as never, toPlainWire);
  return new RpcClient<TestApi>(channel.port1 as never, fromPlainWire);
}

const api: TestApi = {
  echo: (value) => Promise.resolve(value * 2),
  fail: (message) => Promise.reject(new RangeError(message)),
  unclonable: (value) => Promise.resolve({ value, callback: () => {} }),
};

describe('rpc between workers', () => {
  it('answers each call with its own result, and rebuilds a thrown error by name and message', async () => {
    const client = connect(api);
    await expect(Promise.all([client.call('echo', 1), client.call('echo', 21)])).resolves.toEqual([2, 42]);
    await expect(client.call('fail', 'out of range')).rejects.toMatchObject({ name: 'RangeError', message: 'out of range' });
  });

  it('rejects a call whose result cannot cross, instead of leaving it waiting for ever', async () => {
    const client = connect(api);
    await expect(client.call('unclonable', 1)).rejects.toMatchObject({ name: 'DataCloneError' });
    // The channel still works afterwards.
    await expect(client.call('echo', 2)).resolves.toBe(4);
  });
});
