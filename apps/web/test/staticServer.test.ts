import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveStatic, type StaticServer } from '../tools/staticServer';

describe('serveStatic', () => {
  let root: string;
  let server: StaticServer;
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'fer-serve-'));
    mkdirSync(join(root, 'site/sub'), { recursive: true });
    writeFileSync(join(root, 'site/index.html'), 'home');
    writeFileSync(join(root, 'site/audience.html'), 'audience page');
    writeFileSync(join(root, 'site/sub/data.json'), '{}');
    writeFileSync(join(root, 'secret.txt'), 'no');
    server = await serveStatic([{ url: '/', dir: join(root, 'site') }], { '/bundle.js': { type: 'text/javascript', body: 'x=1' } });
  });
  afterAll(async () => {
    await server.close();
    rmSync(root, { recursive: true, force: true });
  });
  const get = async (path: string) => {
    const response = await fetch(server.origin + path);
    return { status: response.status, type: response.headers.get('content-type'), body: await response.text() };
  };

  it('serves index.html for a folder, page.html for an extensionless path, and files with their type', async () => {
    expect(await get('/?backend=wasm')).toMatchObject({ status: 200, body: 'home', type: 'text/html; charset=utf-8' });
    expect(await get('/audience')).toMatchObject({ status: 200, body: 'audience page' });
    expect(await get('/sub/data.json')).toMatchObject({ status: 200, type: 'application/json' });
  });

  it('serves in-memory files first', async () => {
    expect(await get('/bundle.js')).toMatchObject({ status: 200, body: 'x=1', type: 'text/javascript' });
  });

  it('answers 404 for missing files and for paths leaving the folder', async () => {
    expect((await get('/missing.js')).status).toBe(404);
    expect((await get('/%2e%2e/secret.txt')).status).toBe(404);
  });
});
