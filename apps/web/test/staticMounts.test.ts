import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { Connect, Plugin, ViteDevServer } from 'vite';
import { beforeAll, describe, expect, it } from 'vitest';
import { listFiles, staticMounts } from '../tools/staticMounts';

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'fer-mounts-'));
  mkdirSync(join(root, 'models/cnn'), { recursive: true });
  writeFileSync(join(root, 'models/manifest.json'), '{"ok":true}');
  writeFileSync(join(root, 'models/cnn/weights.bin'), 'w');
  writeFileSync(join(root, 'secret.txt'), 'no');
});

/** Runs a request through the plugin's dev middleware; resolves with status and body, or 'next'. */
async function request(plugin: Plugin, url: string): Promise<{ status: number; body: string; type?: string } | 'next'> {
  let handler: Connect.NextHandleFunction | undefined;
  const server = { middlewares: { use: (fn: Connect.NextHandleFunction) => (handler = fn) } } as unknown as ViteDevServer;
  (plugin.configureServer as (s: ViteDevServer) => void)(server);
  return new Promise((resolve) => {
    const res = new PassThrough() as unknown as ServerResponse & PassThrough;
    const headers: Record<string, string> = {};
    res.statusCode = 200;
    res.setHeader = ((name: string, value: string) => (headers[name.toLowerCase()] = value)) as never;
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString(), type: headers['content-type'] }));
    handler?.({ url } as IncomingMessage, res, () => resolve('next'));
  });
}

describe('staticMounts', () => {
  const plugin = () => staticMounts([{ url: '/models/', dir: join(root, 'models'), include: (f) => !f.endsWith('.md') }]);

  it('lists files recursively with / separators', () => {
    expect(listFiles(join(root, 'models'))).toEqual(['cnn/weights.bin', 'manifest.json']);
    expect(listFiles(join(root, 'absent'))).toEqual([]);
  });

  it('serves a mounted file with its content type in dev', async () => {
    expect(await request(plugin(), '/models/manifest.json?v=1')).toEqual({ status: 200, body: '{"ok":true}', type: 'application/json' });
    expect(await request(plugin(), '/models/cnn/weights.bin')).toMatchObject({ status: 200, body: 'w' });
  });

  it('answers 404 for missing files and never serves outside the folder', async () => {
    expect(await request(plugin(), '/models/svm.json')).toMatchObject({ status: 404 });
    expect(await request(plugin(), '/models/../secret.txt')).toMatchObject({ status: 404 });
    expect(await request(plugin(), '/models/%2e%2e/secret.txt')).toMatchObject({ status: 404 });
  });

  it('leaves other URLs to the next middleware', async () => {
    expect(await request(plugin(), '/index.html')).toBe('next');
  });
});
