import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join } from 'node:path';
import { ISOLATION_HEADERS } from './isolation';
import { mountsHandler, type StaticMount } from './staticMounts';

/** A local HTTP server started by {@link serveStatic}. */
export interface StaticServer {
  /** e.g. 'http://127.0.0.1:41234'. */
  origin: string;
  close(): Promise<void>;
}

/** A file held in memory (a freshly bundled page, say), served at an exact path. */
export interface MemoryFile {
  type: string;
  body: string | Uint8Array;
}

/**
 * Serves `mounts` (see `staticMounts`) and in-memory `files` on 127.0.0.1 at a free port, for
 * tests and benchmarks that need pages and models on one origin without vite. As static hosts
 * do, '/dir/' serves dir/index.html and '/page' serves page.html when there is no file 'page'. It
 * sends the COOP/COEP headers (cross-origin isolation) unless `options.isolated` is false.
 */
export async function serveStatic(
  mounts: readonly StaticMount[],
  files: Readonly<Record<string, MemoryFile>> = {},
  options: { isolated?: boolean } = {},
): Promise<StaticServer> {
  const fromDisk = mountsHandler(mounts);
  const onDisk = (path: string) =>
    mounts.some((m) => path.startsWith(m.url) && existsSync(join(m.dir, decodeURIComponent(path.slice(m.url.length)))));
  const server: Server = createServer((req, res) => {
    // Cross-origin isolated like the app's hosts (static/_headers), unless playing a host that can't be.
    if (options.isolated !== false) for (const [name, value] of Object.entries(ISOLATION_HEADERS)) res.setHeader(name, value);
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const memory = files[path];
    if (memory !== undefined) {
      res.writeHead(200, { 'Content-Type': memory.type, 'Cache-Control': 'no-cache' }).end(memory.body);
      return;
    }
    if (path.endsWith('/')) req.url = `${path}index.html`;
    else if (extname(path) === '' && !onDisk(path) && onDisk(`${path}.html`)) req.url = `${path}.html`;
    fromDisk(req, res, () => res.writeHead(404).end(`not found: ${path}`));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
