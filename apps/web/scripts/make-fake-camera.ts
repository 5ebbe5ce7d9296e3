/**
 * Writes a .y4m video of real FER2013 faces for Chromium's fake camera
 * (--use-file-for-fake-video-capture): each face shown for a while on a grey background, then an
 * empty scene, so a test sees faces come and go. FER2013 images stay outside the repository;
 * the video goes wherever it is asked to (a temp folder).
 *
 *   node --import tsx scripts/make-fake-camera.ts OUT.y4m [FER2013_DIR]
 */
import { closeSync, existsSync, openSync, readdirSync, readFileSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import jpeg from 'jpeg-js';

export interface FakeCameraOptions {
  /** FER2013 in the Kaggle folder layout (test/<label>/PublicTest_*.jpg is read). */
  ferDir: string;
  /** Output .y4m path. */
  out: string;
  /** Expressions shown, one face each, in order. */
  labels?: readonly string[];
  width?: number;
  height?: number;
  fps?: number;
  /** Seconds each face (and the final empty scene) stays on screen. */
  secondsEach?: number;
  /** Face side in pixels; the 48x48 crops are scaled up to it. */
  faceSize?: number;
  /** Top-left corner of each face, in the order of `labels`; centred when absent. */
  positions?: readonly { x: number; y: number }[];
  /** End with an empty scene (default true), so a test sees the face go. */
  emptyScene?: boolean;
}

/** Where a face was pasted: its square in frame pixels. */
export interface FacePlacement {
  label: string;
  x: number;
  y: number;
  size: number;
}

/** A grey picture, one byte a pixel, row-major. */
export interface GreyImage {
  width: number;
  height: number;
  luma: Uint8Array;
}

const CAMERA_DEFAULTS = { labels: ['happy', 'surprise', 'neutral'], width: 640, height: 480, fps: 10, secondsEach: 2, faceSize: 240 };

/** The face squares of the video `options` describes, one per face scene, in order. */
export function fakeCameraPlacements(options: Omit<FakeCameraOptions, 'ferDir' | 'out'>): FacePlacement[] {
  const { labels, width, height, faceSize } = { ...CAMERA_DEFAULTS, ...options };
  return labels.map((label, i) => {
    const at = options.positions?.[i] ?? { x: (width - faceSize) >> 1, y: (height - faceSize) >> 1 };
    if (at.x < 0 || at.y < 0 || at.x + faceSize > width || at.y + faceSize > height) throw new Error(`face ${i} does not fit the frame`);
    return { label, x: at.x, y: at.y, size: faceSize };
  });
}

/** Default FER2013 location: $FER2013_DIR, else ../shared/datasets/fer2013 beside the repository. */
export function defaultFerDir(): string {
  return process.env.FER2013_DIR ?? resolve(fileURLToPath(new URL('../../..', import.meta.url)), '../shared/datasets/fer2013');
}

/** The `index`-th (default first) PublicTest image of `label`, decoded to 48x48 grey levels. */
export function readFace(ferDir: string, label: string, index = 0): { pixels: Uint8Array; size: number } {
  const dir = join(ferDir, 'test', label);
  const file = readdirSync(dir)
    .filter((name) => name.startsWith('PublicTest_') && name.endsWith('.jpg'))
    .sort()[index];
  if (file === undefined) throw new Error(`no PublicTest image in ${dir}`);
  const image = jpeg.decode(readFileSync(join(dir, file)), { useTArray: true, formatAsRGBA: true });
  const pixels = new Uint8Array(image.width * image.height);
  for (let i = 0; i < pixels.length; i++) pixels[i] = image.data[4 * i] as number;
  if (image.width !== image.height) throw new Error(`${file} is not square`);
  return { pixels, size: image.width };
}

/** Bilinear scale of a square grey image into `luma` (frame width `stride`) at (x0, y0). */
export function paste(luma: Uint8Array, stride: number, face: { pixels: Uint8Array; size: number }, x0: number, y0: number, side: number): void {
  const scale = face.size / side;
  for (let y = 0; y < side; y++) {
    const sy = Math.min(face.size - 1, Math.max(0, (y + 0.5) * scale - 0.5));
    const y1 = Math.floor(sy);
    const y2 = Math.min(face.size - 1, y1 + 1);
    for (let x = 0; x < side; x++) {
      const sx = Math.min(face.size - 1, Math.max(0, (x + 0.5) * scale - 0.5));
      const x1 = Math.floor(sx);
      const x2 = Math.min(face.size - 1, x1 + 1);
      const at = (px: number, py: number) => face.pixels[py * face.size + px] as number;
      const top = at(x1, y1) + (at(x2, y1) - at(x1, y1)) * (sx - x1);
      const bottom = at(x1, y2) + (at(x2, y2) - at(x1, y2)) * (sx - x1);
      luma[(y0 + y) * stride + x0 + x] = Math.round(top + (bottom - top) * (sy - y1));
    }
  }
}

/** FER2013 faces of `labels` side by side on grey, with where each was put. */
export function renderFakePhoto(
  ferDir: string,
  labels: readonly string[] = ['happy', 'surprise'],
  faceSize = 220,
): GreyImage & { placements: FacePlacement[] } {
  const width = labels.length * (faceSize + 60) + 60;
  const height = faceSize + 120;
  const luma = new Uint8Array(width * height).fill(120);
  const placements = labels.map((label, i) => ({ label, x: 60 + i * (faceSize + 60), y: 60, size: faceSize }));
  for (const p of placements) paste(luma, width, readFace(ferDir, p.label), p.x, p.y, p.size);
  return { width, height, luma, placements };
}

/** A grey image as a 24-bit BMP, which every browser decodes exactly (no compression, no colour profile). */
export function encodeBmp({ width, height, luma }: GreyImage): Buffer {
  const rowBytes = Math.ceil((width * 3) / 4) * 4;
  const bmp = Buffer.alloc(54 + rowBytes * height);
  bmp.write('BM', 0, 'ascii');
  bmp.writeUInt32LE(bmp.length, 2);
  bmp.writeUInt32LE(54, 10); // pixel data offset
  bmp.writeUInt32LE(40, 14); // BITMAPINFOHEADER
  bmp.writeInt32LE(width, 18);
  bmp.writeInt32LE(-height, 22); // negative: rows top to bottom
  bmp.writeUInt16LE(1, 26);
  bmp.writeUInt16LE(24, 28);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) bmp.fill(luma[y * width + x] as number, 54 + y * rowBytes + 3 * x, 54 + y * rowBytes + 3 * x + 3);
  }
  return bmp;
}

/** A still photo (BMP) of {@link renderFakePhoto}, for photo-mode tests. */
export function makeFakePhoto(ferDir: string, labels: readonly string[] = ['happy', 'surprise'], faceSize = 220): Buffer {
  return encodeBmp(renderFakePhoto(ferDir, labels, faceSize));
}

/** Writes the video; returns how many frames it holds. */
export function makeFakeCamera(options: FakeCameraOptions): number {
  const { ferDir, out, width, height, fps, secondsEach, emptyScene = true } = { ...CAMERA_DEFAULTS, ...options };
  if (!existsSync(join(ferDir, 'test'))) throw new Error(`FER2013 not found at ${ferDir} (expected test/<label>/)`);
  const chroma = new Uint8Array((width / 2) * (height / 2)).fill(128);
  const placed = fakeCameraPlacements(options).map((p) => ({ ...p, face: readFace(ferDir, p.label) }));
  const scenes = emptyScene ? [...placed, undefined] : placed;
  const framesEach = Math.round(fps * secondsEach);
  const fd = openSync(out, 'w');
  try {
    writeSync(fd, `YUV4MPEG2 W${width} H${height} F${fps}:1 Ip A1:1 C420jpeg\n`);
    for (const scene of scenes) {
      const luma = new Uint8Array(width * height).fill(110);
      if (scene !== undefined) paste(luma, width, scene.face, scene.x, scene.y, scene.size);
      for (let i = 0; i < framesEach; i++) {
        writeSync(fd, 'FRAME\n');
        writeSync(fd, luma);
        writeSync(fd, chroma);
        writeSync(fd, chroma);
      }
    }
  } finally {
    closeSync(fd);
  }
  return scenes.length * framesEach;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [out, ferDir = defaultFerDir()] = process.argv.slice(2);
  if (out === undefined) {
    console.error('usage: make-fake-camera.ts OUT.y4m [FER2013_DIR]');
    process.exit(2);
  }
  const frames = makeFakeCamera({ ferDir, out });
  console.log(`wrote ${out}: ${frames} frames`);
}
