/**
 * An "audience" video of real FER2013 faces for audience-mode tests and the bench: eight faces in
 * a 4x2 grid at known places, in scenes that change their expressions and move them a little,
 * with one face missing for a couple of frames (a detector miss the tracker must bridge). Written
 * as .y4m for Chromium's fake camera; the same frames are available as grey images so a test can
 * encode them into a WebM in the browser. FER2013 images stay outside the repository.
 *
 *   node --import tsx scripts/make-audience-video.ts OUT.y4m [FER2013_DIR]
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { defaultFerDir, paste, readFace } from './make-fake-camera';

/** One face slot's square in frame pixels. */
export interface Slot {
  x: number;
  y: number;
  size: number;
}

/** A stretch of video: the expression of each slot, the grid's offset, and slots missing in some frames. */
export interface AudienceScene {
  labels: readonly string[];
  /** Which PublicTest image of its label each slot shows (default: the n-th use of a label takes its n-th image). */
  indices?: readonly number[];
  frames: number;
  offset: { x: number; y: number };
  /** Slot index -> frame indices (within the scene) where that face is left out. */
  missing?: Readonly<Record<number, readonly number[]>>;
}

export interface AudienceVideo {
  width: number;
  height: number;
  fps: number;
  /** The base grid (scene offsets move it). */
  slots: Slot[];
  scenes: AudienceScene[];
  /** Distinct pictures, grey, one byte a pixel. */
  images: Uint8Array[];
  /** For each frame, its picture in `images`. */
  frameImages: number[];
  /** For each frame, its scene index. */
  frameScenes: number[];
}

/** Eight slots, 4 columns x 2 rows, evenly spaced. */
export function gridSlots(width: number, height: number, size: number, columns = 4, rows = 2): Slot[] {
  const gapX = Math.floor((width - columns * size) / (columns + 1));
  const gapY = Math.floor((height - rows * size) / (rows + 1));
  if (gapX < 0 || gapY < 0) throw new Error('faces do not fit the frame');
  return Array.from({ length: columns * rows }, (_, i) => ({
    x: gapX + (i % columns) * (size + gapX),
    y: gapY + Math.floor(i / columns) * (size + gapY),
    size,
  }));
}

/**
 * The default test video: 10 frames/s, three 2 s scenes, each with the grid at its own horizontal
 * offset so a frame's scene can be told from its boxes (see sceneOf). The second scene changes
 * every expression and loses slot 3 for two frames. The images are ones BlazeFace finds in every
 * frame at this size (measured; a few FER2013 crops, e.g. neutral #0 or disgust #0, it misses).
 */
export function defaultScenes(fps = 10, secondsEach = 2): AudienceScene[] {
  const frames = Math.round(fps * secondsEach);
  const first = { labels: ['happy', 'neutral', 'surprise', 'sad', 'happy', 'angry', 'fear', 'surprise'], indices: [0, 1, 0, 0, 1, 0, 0, 1] };
  const second = { labels: ['surprise', 'happy', 'happy', 'neutral', 'sad', 'angry', 'fear', 'disgust'], indices: [2, 2, 3, 2, 1, 1, 1, 1] };
  return [
    { ...first, frames, offset: { x: 0, y: 0 } },
    { ...second, frames, offset: { x: 30, y: 0 }, missing: { 3: [5, 6] } },
    { ...second, frames, offset: { x: -30, y: 0 } },
  ];
}

export interface AudienceVideoOptions {
  ferDir: string;
  width?: number;
  height?: number;
  fps?: number;
  faceSize?: number;
  scenes?: AudienceScene[];
}

/** Renders the video's distinct pictures and its frame list. */
export function renderAudienceVideo(options: AudienceVideoOptions): AudienceVideo {
  const { ferDir, width = 1280, height = 720, fps = 10, faceSize = 280 } = options;
  const scenes = options.scenes ?? defaultScenes(fps);
  const slots = gridSlots(width, height, faceSize);
  const faceOf = (scene: AudienceScene, slot: number) => {
    const label = scene.labels[slot] as string;
    return readFace(ferDir, label, scene.indices?.[slot] ?? scene.labels.slice(0, slot).filter((l) => l === label).length);
  };
  const images: Uint8Array[] = [];
  const keys = new Map<string, number>();
  const frameImages: number[] = [];
  const frameScenes: number[] = [];
  scenes.forEach((scene, s) => {
    for (let f = 0; f < scene.frames; f++) {
      const shown = slots.map((_, i) => !(scene.missing?.[i]?.includes(f) ?? false));
      const key = `${s}:${shown.join()}`;
      let image = keys.get(key);
      if (image === undefined) {
        const luma = new Uint8Array(width * height).fill(110);
        slots.forEach((slot, i) => {
          if (shown[i]) paste(luma, width, faceOf(scene, i), slot.x + scene.offset.x, slot.y + scene.offset.y, slot.size);
        });
        image = images.push(luma) - 1;
        keys.set(key, image);
      }
      frameImages.push(image);
      frameScenes.push(s);
    }
  });
  return { width, height, fps, slots, scenes, images, frameImages, frameScenes };
}

/** Writes `video` as .y4m (4:2:0, grey: flat chroma), looping its frames `repeat` times. */
export function writeAudienceY4m(video: AudienceVideo, out: string, repeat = 1): number {
  const chroma = new Uint8Array((video.width / 2) * (video.height / 2)).fill(128);
  const fd = openSync(out, 'w');
  try {
    writeSync(fd, `YUV4MPEG2 W${video.width} H${video.height} F${video.fps}:1 Ip A1:1 C420jpeg\n`);
    for (let r = 0; r < repeat; r++) {
      for (const image of video.frameImages) {
        writeSync(fd, 'FRAME\n');
        writeSync(fd, video.images[image] as Uint8Array);
        writeSync(fd, chroma);
        writeSync(fd, chroma);
      }
    }
  } finally {
    closeSync(fd);
  }
  return repeat * video.frameImages.length;
}

type Box = readonly [number, number, number, number];

/** The slot whose square (at grid offset `offset`) contains the box's centre, or -1. */
export function slotOf(video: AudienceVideo, offset: { x: number; y: number }, box: Box): number {
  const cx = box[0] + box[2] / 2;
  const cy = box[1] + box[3] / 2;
  return video.slots.findIndex((s) => cx >= s.x + offset.x && cx < s.x + offset.x + s.size && cy >= s.y + offset.y && cy < s.y + offset.y + s.size);
}

/**
 * Which scene a frame shows, told from its boxes alone: the scene whose grid offset is nearest
 * the boxes' mean displacement from their slots' centres (undefined for a frame without faces).
 */
export function sceneOf(video: AudienceVideo, boxes: readonly Box[]): number | undefined {
  if (boxes.length === 0) return undefined;
  const shift = { x: 0, y: 0 };
  for (const box of boxes) {
    const cx = box[0] + box[2] / 2;
    const cy = box[1] + box[3] / 2;
    const nearest = video.slots.reduce((a, s) =>
      Math.hypot(s.x + s.size / 2 - cx, s.y + s.size / 2 - cy) < Math.hypot(a.x + a.size / 2 - cx, a.y + a.size / 2 - cy) ? s : a,
    );
    shift.x += (cx - (nearest.x + nearest.size / 2)) / boxes.length;
    shift.y += (cy - (nearest.y + nearest.size / 2)) / boxes.length;
  }
  let best = 0;
  video.scenes.forEach((scene, i) => {
    const d = Math.hypot(scene.offset.x - shift.x, scene.offset.y - shift.y);
    const b = video.scenes[best] as AudienceScene;
    if (d < Math.hypot(b.offset.x - shift.x, b.offset.y - shift.y)) best = i;
  });
  return best;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [out, ferDir = defaultFerDir()] = process.argv.slice(2);
  if (out === undefined) {
    console.error('usage: make-audience-video.ts OUT.y4m [FER2013_DIR]');
    process.exit(2);
  }
  const frames = writeAudienceY4m(renderAudienceVideo({ ferDir }), out);
  console.log(`wrote ${out}: ${frames} frames`);
}
