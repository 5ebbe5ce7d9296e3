/**
 * The face detector in a real browser (Debian's Chromium via playwright-core): the committed
 * model with metadata loads in tasks-vision, finds real FER2013 faces drawn at known places, finds
 * nothing on an empty background, and the page makes no request beyond its own origin.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserPlan, BrowserResult, Scene } from './detection-browser/page';
import { browserBundle } from '../tools/browserBundle';
import { CHROMIUM_FLAGS, chromiumPath } from './helpers/chromium.js';
import { prng } from './helpers/prng';

const appDir = fileURLToPath(new URL('..', import.meta.url));
const repoDir = resolve(appDir, '../..');
const ferDir = process.env.FER2013_DIR ?? resolve(repoDir, '../shared/datasets/fer2013');
const wasmDir = join(appDir, 'node_modules/@mediapipe/tasks-vision/wasm');
const modelFile = join(appDir, 'static/detector/face_detection_short_range.tflite');

const WIDTH = 640;
const HEIGHT = 480;
const SCENES = 40;
const FACES_PER_SCENE = 3;
const MIN_FACE = 170;
const MAX_FACE = 210;
const MIN_DETECTION_RATE = 0.8;
const MIN_IOU = 0.3;

const skipReason = !existsSync(join(ferDir, 'test'))
  ? `FER2013 not found at ${ferDir} (set FER2013_DIR)`
  : !existsSync(chromiumPath)
    ? `no Chromium at ${chromiumPath} (apt-get install chromium, or set CHROMIUM_PATH)`
    : null;
if (skipReason) console.warn(`detection.browser.test: skipped: ${skipReason}`);

/** Evenly spaced PublicTest images across all labels, in a fixed order. */
function pickFaces(count: number): string[] {
  const testDir = join(ferDir, 'test');
  const all = readdirSync(testDir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) => readdirSync(join(testDir, d.name)).map((f) => join(testDir, d.name, f)))
    .filter((f) => /\.(jpe?g|png)$/i.test(f))
    .sort();
  const stride = Math.floor(all.length / count);
  return Array.from({ length: count }, (_, i) => all[i * stride]!);
}

/**
 * Three faces per scene, one per column so they never overlap, upscaled from 48 px to 170-210 px:
 * about a face at arm's length from a 640x480 webcam. FER's crops are tight (chin and forehead cut
 * off) and many are occluded; the short-range model finds fewer of them the smaller they are
 * (measured on these 120 faces: 78% at 140-200 px, 83% at 160-200 px, 89% at 170-210 px).
 */
function makeScenes(random: () => number): Scene[] {
  const grey = (): string => {
    const v = Math.round(60 + random() * 150);
    return `rgb(${v}, ${Math.round(v * (0.9 + random() * 0.2))}, ${Math.round(v * (0.9 + random() * 0.2))})`;
  };
  const column = WIDTH / FACES_PER_SCENE;
  return Array.from({ length: SCENES }, (_, s) => ({
    background: [grey(), grey()],
    faces: Array.from({ length: FACES_PER_SCENE }, (_, c) => {
      const size = Math.round(MIN_FACE + random() * (MAX_FACE - MIN_FACE));
      return {
        face: s * FACES_PER_SCENE + c,
        x: Math.round(c * column + random() * (column - size)),
        y: Math.round(random() * (HEIGHT - size)),
        size,
      };
    }),
  }));
}

function iou(a: { x: number; y: number; width: number; height: number }, b: typeof a): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  if (w <= 0 || h <= 0) return 0;
  return (w * h) / (a.width * a.height + b.width * b.height - w * h);
}

/** The app's policy (svelte.config.js), sent report-only: the test sees violations, and requests still go out. */
const APP_CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self' blob:",
  "connect-src 'self'",
  "img-src 'self' blob: data:",
  "media-src 'self' blob:",
  "style-src 'self' 'unsafe-inline'",
].join('; ');

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.wasm': 'application/wasm',
  '.tflite': 'application/octet-stream',
  '.jpg': 'image/jpeg',
  '.png': 'image/png',
};

/** The app's layout in miniature: /detector/, /mediapipe/wasm/, plus the test page and faces. */
function serve(bundle: string, faceFiles: string[]): Promise<Server> {
  const server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0] ?? '/');
    let file: string | undefined;
    let body: string | undefined;
    if (path === '/') body = '<!doctype html><html><body><script type="module" src="/app.js"></script></body></html>';
    else if (path === '/app.js') body = bundle;
    else if (path === '/detector/face_detection_short_range.tflite') file = modelFile;
    else if (/^\/mediapipe\/wasm\/vision_wasm(_nosimd)?_internal\.(js|wasm)$/.test(path)) {
      file = join(wasmDir, path.slice('/mediapipe/wasm/'.length));
    } else {
      const face = /^\/faces\/(\d+)$/.exec(path);
      if (face) file = faceFiles[Number(face[1])];
    }
    if (body === undefined && (file === undefined || !existsSync(file))) {
      res.writeHead(404).end();
      return;
    }
    const type = CONTENT_TYPES[body !== undefined ? (path === '/' ? '.html' : '.js') : extname(file!)];
    res.writeHead(200, {
      'Content-Type': type ?? 'application/octet-stream',
      'Cache-Control': 'no-store',
      'Content-Security-Policy-Report-Only': APP_CSP,
    });
    res.end(body ?? readFileSync(file!));
  });
  return new Promise((done) => server.listen(0, '127.0.0.1', () => done(server)));
}

describe.skipIf(skipReason !== null)('face detection in Chromium', () => {
  let server: Server;
  let context: BrowserContext;
  let userDataDir: string;
  let origin: string;
  let scenes: Scene[];
  let result: BrowserResult;
  let cspViolations: string[];
  const foreignRequests = new Set<string>();

  beforeAll(async () => {
    const faceFiles = pickFaces(SCENES * FACES_PER_SCENE);
    scenes = makeScenes(prng(20240607));
    const bundled = await browserBundle(fileURLToPath(new URL('./detection-browser/page.ts', import.meta.url)));
    server = await serve(bundled, faceFiles);
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    userDataDir = mkdtempSync(join(tmpdir(), 'fer-chromium-'));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: chromiumPath,
      headless: true,
      args: CHROMIUM_FLAGS,
    });
    // Block, and remember, anything that is not the page's own origin.
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (new URL(url).origin === origin) return route.continue();
      foreignRequests.add(url);
      return route.abort('blockedbyclient');
    });
    context.on('request', (request) => {
      const url = request.url();
      if (/^https?:/.test(url) && new URL(url).origin !== origin) foreignRequests.add(url);
    });

    const page = context.pages()[0] ?? (await context.newPage());
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${origin}/`);
    await page.waitForFunction(() => typeof window.runDetection === 'function');
    const plan: BrowserPlan = {
      modelUrl: '/detector/face_detection_short_range.tflite',
      wasmBaseUrl: '/mediapipe/wasm',
      faceUrls: faceFiles.map((_, i) => `/faces/${i}`),
      scenes,
      width: WIDTH,
      height: HEIGHT,
    };
    result = await page.evaluate((p) => window.runDetection(p), plan);
    // close() ran inside runDetection; give a telemetry flush the chance to show up.
    await page.waitForTimeout(1000);
    cspViolations = await page.evaluate(() => window.cspViolations);
    expect(errors).toEqual([]);
  }, 180_000);

  afterAll(async () => {
    await context?.close();
    await new Promise((done) => (server ? server.close(done) : done(undefined)));
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
  });

  it(`finds >= ${MIN_DETECTION_RATE * 100}% of placed FER2013 faces (IoU >= ${MIN_IOU})`, () => {
    let found = 0;
    let placed = 0;
    const ious: number[] = [];
    scenes.forEach((scene, s) => {
      const detections = result.video[s] ?? [];
      for (const p of scene.faces) {
        placed++;
        const truth = { x: p.x, y: p.y, width: p.size, height: p.size };
        const best = Math.max(0, ...detections.map((d) => iou(d.box, truth)));
        ious.push(best);
        if (best >= MIN_IOU) found++;
      }
    });
    const sorted = [...result.frameMs].sort((a, b) => a - b);
    const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length;
    const falsePositives = result.video.reduce((n, d, s) => n + Math.max(0, d.length - scenes[s]!.faces.length), 0);
    console.log(
      `detection: ${found}/${placed} faces (${((100 * found) / placed).toFixed(1)}%), ` +
        `median IoU ${ious.sort((a, b) => a - b)[Math.floor(ious.length / 2)]!.toFixed(2)}, ` +
        `extra boxes ${falsePositives}; detectForVideo 640x480: ` +
        `median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(1)} ms, mean ${mean.toFixed(1)} ms/frame`,
    );
    expect(found / placed).toBeGreaterThanOrEqual(MIN_DETECTION_RATE);
  });

  it('reports boxes and keypoints in pixels with scores in 0..1', () => {
    const faces = result.video.flat();
    expect(faces.length).toBeGreaterThan(0);
    for (const f of faces) {
      expect(f.score).toBeGreaterThanOrEqual(0.5);
      expect(f.score).toBeLessThanOrEqual(1);
      expect(f.box.width).toBeGreaterThan(50); // pixels, not a 0..1 fraction
      expect(f.keypoints).toHaveLength(6);
      for (const k of f.keypoints) {
        // Keypoints lie in or near the box.
        expect(k.x).toBeGreaterThan(f.box.x - f.box.width);
        expect(k.x).toBeLessThan(f.box.x + 2 * f.box.width);
        expect(k.y).toBeGreaterThan(f.box.y - f.box.height);
        expect(k.y).toBeLessThan(f.box.y + 2 * f.box.height);
      }
    }
  });

  it('gives the same faces through detect() and through detectForVideo after it', () => {
    const boxes = (faces: BrowserResult['still']) => faces.map((f) => f.box).sort((a, b) => a.x - b.x);
    const video = boxes(result.video[0] ?? []);
    expect(video.length).toBeGreaterThan(0);
    for (const other of [boxes(result.still), boxes(result.afterStill)]) {
      expect(other).toHaveLength(video.length);
      other.forEach((b, i) => expect(iou(b, video[i]!)).toBeGreaterThan(0.95));
    }
  });

  it('finds no face on an empty background', () => {
    expect(result.empty).toEqual([]);
  });

  it('makes no request beyond its own origin', () => {
    expect([...foreignRequests]).toEqual([]);
  });

  it("runs under the app's Content-Security-Policy", () => {
    expect(cspViolations).toEqual([]);
  });
});
