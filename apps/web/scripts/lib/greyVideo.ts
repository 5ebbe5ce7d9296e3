/**
 * Browser-side: encodes grey pictures (one byte a pixel, as scripts/make-audience-video.ts renders
 * them) into a VP9 WebM or MP4 with WebCodecs, through mediabunny. Used by the audience end-to-end test
 * (bundled and loaded into the page) and the audience bench, so a video file holds the very frames
 * the fake camera shows.
 */
import { BufferTarget, CanvasSource, Mp4OutputFormat, Output, WebMOutputFormat } from 'mediabunny';

export interface GreyFrames {
  width: number;
  height: number;
  fps: number;
  /** Distinct pictures, base64 of width*height grey bytes. */
  images: string[];
  /** For each frame, its picture in `images`. */
  frameImages: number[];
}

/**
 * Chromium shows a .y4m's luma as limited-range video (16..235 stretched to 0..255); with
 * `asCamera` the file gets those same RGB values, so a file and the fake camera start from the
 * same picture.
 */
function toRgba(base64: string, width: number, height: number, asCamera: boolean): ImageData {
  const grey = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  const rgba = new ImageData(width, height);
  for (let i = 0; i < grey.length; i++) {
    const y = grey[i] as number;
    const v = asCamera ? Math.min(255, Math.max(0, Math.round(((y - 16) * 255) / 219))) : y;
    rgba.data[4 * i] = rgba.data[4 * i + 1] = rgba.data[4 * i + 2] = v;
    rgba.data[4 * i + 3] = 255;
  }
  return rgba;
}

export interface EncodeOptions {
  /** Container (default WebM); the codec is VP9 in both. */
  container?: 'webm' | 'mp4';
  /** See toRgba (default true). */
  asCamera?: boolean;
  /** Bits/s; high by default, so the codec changes the pictures little. */
  bitrate?: number;
  /**
   * 90: store each picture turned a quarter turn counterclockwise, with rotation metadata saying to
   * turn it back, as phones record portrait video (MP4 only; default: upright, no metadata).
   */
  storedRotation?: 90;
}

/** `picture` turned a quarter turn counterclockwise: its top row becomes the left column, read upwards. */
function turnCounterclockwise(picture: ImageData): ImageData {
  const { width, height } = picture;
  const turned = new ImageData(height, width);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const from = 4 * (y * width + x);
      const to = 4 * ((width - 1 - x) * height + y);
      turned.data.set(picture.data.subarray(from, from + 4), to);
    }
  }
  return turned;
}

/** The frames as a video file. */
export async function encodeGreyVideo(frames: GreyFrames, options: EncodeOptions = {}): Promise<Uint8Array<ArrayBuffer>> {
  const { width, height, fps } = frames;
  const turned = options.storedRotation === 90;
  const canvas = turned ? new OffscreenCanvas(height, width) : new OffscreenCanvas(width, height);
  const context = canvas.getContext('2d');
  if (context === null) throw new Error('no 2D context for an OffscreenCanvas');
  const upright = frames.images.map((image) => toRgba(image, width, height, options.asCamera ?? true));
  const pictures = turned ? upright.map(turnCounterclockwise) : upright;
  const format = options.container === 'mp4' ? new Mp4OutputFormat() : new WebMOutputFormat();
  const output = new Output({ format, target: new BufferTarget() });
  const source = new CanvasSource(canvas, { codec: 'vp9', bitrate: options.bitrate ?? 12e6 });
  output.addVideoTrack(source, { frameRate: fps, ...(turned ? { rotation: 90 as const } : {}) });
  await output.start();
  for (let i = 0; i < frames.frameImages.length; i++) {
    context.putImageData(pictures[frames.frameImages[i] as number] as ImageData, 0, 0);
    await source.add(i / fps, 1 / fps);
  }
  await output.finalize();
  const buffer = output.target.buffer;
  if (buffer === null) throw new Error('the video encoder produced nothing');
  return new Uint8Array(buffer);
}
