import * as tf from '@tensorflow/tfjs';
import type { InputSpec } from './manifest.js';

/** A face's bounding box in pixels of the frame it was found in. */
export interface FaceBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** ITU-R BT.601 luma weights: the grey conversion FER2013's own crops were made with. */
const LUMA = [0.299, 0.587, 0.114] as const;

/** Grey levels (0..255, any shape) to network inputs, as the manifest prescribes. */
export function normalizeGray(gray: tf.Tensor, input: InputSpec): tf.Tensor {
  return tf.tidy(() => gray.toFloat().div(255).sub(input.mean).div(input.std));
}

/** A batch of 48x48 grey images stored back to back (as the data loaders hold them) to network inputs [N,H,W,1]. */
export function pixelsToInput(pixels: Uint8Array, count: number, input: InputSpec): tf.Tensor4D {
  const expected = count * input.height * input.width;
  if (pixels.length !== expected) throw new Error(`expected ${expected} grey levels for ${count} images, got ${pixels.length}`);
  return tf.tidy(() => normalizeGray(tf.tensor4d(pixels, [count, input.height, input.width, 1], 'int32'), input) as tf.Tensor4D);
}

/**
 * Grey levels (BT.601 luma, 0..255) of RGBA pixels, row-major, as [H,W,1]: a frame or window of one
 * ready for `cropFaces`. Converting before cropping reads each pixel once, where a 4-channel tensor
 * would be copied, cast and resized in every channel first; bilinear resizing is linear, so the crop
 * is the one the colour pixels give, up to float rounding.
 */
export function grayFromRgba(rgba: Uint8ClampedArray | Uint8Array, width: number, height: number): tf.Tensor3D {
  if (rgba.length !== width * height * 4)
    throw new Error(`expected ${width * height * 4} RGBA values for ${width}x${height} pixels, got ${rgba.length}`);
  const gray = new Float32Array(width * height);
  const [r, g, b] = LUMA;
  for (let i = 0, j = 0; i < gray.length; i++, j += 4) gray[i] = r * (rgba[j] as number) + g * (rgba[j + 1] as number) + b * (rgba[j + 2] as number);
  return tf.tensor3d(gray, [height, width, 1]);
}

/** A rectangle in pixels of a frame (a face box, a crop region, a window of the frame). */
export type PixelRect = FaceBox;

/**
 * The frame region a face crop shows: a square around the box's centre, grown by `margin` on
 * every side, because FER2013's crops include forehead and chin while face detectors box tighter.
 */
export function cropRegion(box: FaceBox, margin: number): PixelRect {
  const side = Math.max(box.width, box.height) * (1 + 2 * margin);
  return { x: box.x + box.width / 2 - side / 2, y: box.y + box.height / 2 - side / 2, width: side, height: side };
}

/**
 * The smallest window of a `frameWidth` x `frameHeight` frame holding every pixel that cropping
 * `box` reads (plus one pixel of slack against rounding), in whole pixels, inside the frame.
 * A caller that can read part of a frame cheaply (a canvas) reads just this window and passes it
 * to `cropFaces`: the crop is the one the whole frame gives.
 */
export function cropWindow(box: FaceBox, frameWidth: number, frameHeight: number, margin: number): PixelRect {
  const region = cropRegion(box, margin);
  const span = (start: number, length: number, size: number): [number, number] => {
    const first = Math.max(0, Math.min(size - 2, Math.floor(samplePosition(start, size)) - 1));
    const last = Math.min(size - 1, Math.max(first + 1, Math.ceil(samplePosition(start + length, size)) + 1));
    return [first, last - first + 1];
  };
  const [x, width] = span(region.x, region.width, frameWidth);
  const [y, height] = span(region.y, region.height, frameHeight);
  return { x, y, width, height };
}

/** Pixels of a whole frame, or of a window of it (see `cropWindow`). */
export interface FramePixels {
  /** [H,W,C] pixels of `window` (the whole frame when omitted); C is 1 (grey), 3 (RGB) or 4 (RGBA). */
  pixels: tf.Tensor3D;
  /** The part of the frame `pixels` holds (see `cropWindow`). */
  window?: PixelRect;
  /** Size of the whole frame; `pixels`' own size when omitted. */
  frameWidth?: number;
  frameHeight?: number;
}

/**
 * The frame pixel position cropFaces samples for region coordinate `v`: cropAndResize samples
 * `normalized * (size - 1)`, and cropFaces has always given it `v / frameSize`.
 */
function samplePosition(v: number, frameSize: number): number {
  return (v * (frameSize - 1)) / frameSize;
}

/** A crop region as tf.image.cropAndResize's normalized box on the tensor holding `window`. */
function sampleBox(region: PixelRect, frameWidth: number, frameHeight: number, window: PixelRect): [number, number, number, number] {
  const along = (v: number, frameSize: number, origin: number, size: number) => (samplePosition(v, frameSize) - origin) / Math.max(1, size - 1);
  return [
    along(region.y, frameHeight, window.y, window.height),
    along(region.x, frameWidth, window.x, window.width),
    along(region.y + region.height, frameHeight, window.y, window.height),
    along(region.x + region.width, frameWidth, window.x, window.width),
  ];
}

/**
 * Crops faces out of a frame into grey [N,H,W,1] images (0..255), ready for `normalizeGray`:
 * each box's `cropRegion` with the input's `cropMargin`, resized bilinearly; parts outside the frame are black. The frame's
 * pixels may be a tensor of the whole frame or of a window of it that holds every box's
 * `cropWindow`.
 */
export function cropFaces(frame: tf.Tensor3D | FramePixels, boxes: readonly FaceBox[], input: InputSpec): tf.Tensor4D {
  if (boxes.length === 0) throw new Error('cropFaces needs at least one box');
  const { pixels, window, frameWidth, frameHeight } = frame instanceof tf.Tensor ? { pixels: frame } : frame;
  const [height, width, channels] = pixels.shape;
  if (channels !== 1 && channels !== 3 && channels !== 4) throw new Error(`frame must have 1, 3 or 4 channels, has ${channels}`);
  const area = window ?? { x: 0, y: 0, width, height };
  if (area.width !== width || area.height !== height)
    throw new Error(`the window is ${area.width}x${area.height} but its pixels are ${width}x${height}`);
  const sampleBoxes = boxes.map((box) => sampleBox(cropRegion(box, input.cropMargin), frameWidth ?? width, frameHeight ?? height, area));
  return tf.tidy(() => {
    const image = pixels.toFloat().expandDims<tf.Tensor4D>(0);
    const crops = tf.image.cropAndResize(
      image,
      sampleBoxes,
      boxes.map(() => 0),
      [input.height, input.width],
    );
    if (channels === 1) return crops;
    const rgb = channels === 4 ? crops.slice([0, 0, 0, 0], [-1, -1, -1, 3]) : crops;
    return rgb.mul(tf.tensor1d([...LUMA])).sum<tf.Tensor4D>(-1, true);
  });
}
