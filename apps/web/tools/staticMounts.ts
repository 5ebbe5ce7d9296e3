import { createReadStream, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, relative, resolve, sep } from 'node:path';
import type { Plugin, ResolvedConfig } from 'vite';

/** A folder outside the app served at a URL path, in dev and in the build. */
export interface StaticMount {
  /** URL path with leading and trailing slash, e.g. '/models/'. */
  url: string;
  /** Absolute folder on disk. */
  dir: string;
  /** Which files (paths relative to `dir`, '/'-separated) to serve; all when absent. */
  include?: (file: string) => boolean;
  /** When the folder is missing, fail the build instead of warning. */
  required?: boolean;
}

const CONTENT_TYPES: Record<string, string> = {
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.js': 'text/javascript',
  '.bin': 'application/octet-stream',
  '.tflite': 'application/octet-stream',
  '.md': 'text/markdown; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css',
  '.png': 'image/png',
  '.webmanifest': 'application/manifest+json',
};

/** Files under `dir`, '/'-separated and relative to it, that `include` accepts. */
export function listFiles(dir: string, include: (file: string) => boolean = () => true): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .filter(include)
    .sort();
}

/**
 * A connect-style handler serving `mounts` from disk (first matching mount wins; `next()` for any
 * other path). Shared by the dev server and by plain Node servers in tests and benchmarks.
 */
export function mountsHandler(mounts: readonly StaticMount[]): (req: IncomingMessage, res: ServerResponse, next: () => void) => void {
  return (req, res, next) => {
    const path = decodeURIComponent((req.url ?? '').split('?')[0] ?? '');
    const mount = mounts.find((m) => path.startsWith(m.url));
    if (mount === undefined) return next();
    const file = path.slice(mount.url.length);
    const absolute = resolve(mount.dir, file);
    // No '..' escapes, and only files the build would copy too.
    const allowed = absolute.startsWith(resolve(mount.dir) + sep) && (mount.include?.(file) ?? true);
    if (!allowed || !existsSync(absolute) || !statSync(absolute).isFile()) {
      res.statusCode = 404;
      res.end(`not found: ${path}`);
      return;
    }
    res.setHeader('Content-Type', CONTENT_TYPES[extname(file)] ?? 'application/octet-stream');
    res.setHeader('Cache-Control', 'no-cache');
    createReadStream(absolute).pipe(res);
  };
}

/**
 * Serves folders that live outside `static/` (the trained models, wasm binaries in node_modules)
 * from the app's own origin: read live from disk by the dev server, so a retrained models/ shows
 * up on reload, and copied into the client build, where the service worker precaches them.
 */
export function staticMounts(mounts: readonly StaticMount[]): Plugin {
  let config: ResolvedConfig;
  return {
    name: 'fer:static-mounts',
    configResolved(resolved) {
      config = resolved;
    },
    configureServer(server) {
      server.middlewares.use(mountsHandler(mounts));
    },
    generateBundle() {
      // SvelteKit builds the server first, then the client; only the client output is published.
      if (config.build.ssr) return;
      for (const mount of mounts) {
        const files = listFiles(mount.dir, mount.include);
        if (files.length === 0) {
          const message = `${mount.dir} has no files to serve at ${mount.url}`;
          if (mount.required) this.error(message);
          this.warn(`${message}; the app will report it missing`);
        }
        for (const file of files) {
          this.emitFile({ type: 'asset', fileName: mount.url.slice(1) + file, source: readFileSync(join(mount.dir, file)) });
        }
      }
    },
  };
}
