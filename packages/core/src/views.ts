import * as tf from '@tensorflow/tfjs';
import type { TestTimeView } from './manifest.js';

/** One geometric change of a square grey image: mirror, then shift, rotate and zoom about its centre. */
export interface ImageTransform {
  flip: boolean;
  /** Shift in pixels; positive values show content from the right of / below the centre. */
  dx: number;
  dy: number;
  /** Rotation in radians. */
  angle: number;
  /** Relative zoom: above 1 zooms in. */
  zoom: number;
}

export const IDENTITY_TRANSFORM: ImageTransform = { flip: false, dx: 0, dy: 0, angle: 0, zoom: 1 };

/** The transform a manifest's test-time view names (views never mirror: `cnn.mirrorAverage` does). */
export function viewTransform(view: TestTimeView): ImageTransform {
  return { flip: false, dx: view.dx, dy: view.dy, angle: (view.degrees * Math.PI) / 180, zoom: view.zoom };
}

/**
 * Bilinear sampling of a transformed image, as a table: output pixel p mixes the source pixels
 * indices[4p..4p+3] with weights[4p..4p+3]. Edges are repeated beyond the image.
 */
export interface WarpTable {
  indices: Int32Array;
  weights: Float32Array;
}

/**
 * Writes the 4 taps of bilinear sampling at source position (x, y) at output pixel `p` of `indices` and `weights`.
 * The one place the warp's arithmetic lives: training augmentation and test-time views both use it.
 */
function writeTaps(side: number, x: number, y: number, indices: Int32Array, weights: Float32Array | Float64Array, p: number): void {
  const cx = Math.min(side - 1, Math.max(0, x));
  const cy = Math.min(side - 1, Math.max(0, y));
  const x0 = Math.floor(cx);
  const y0 = Math.floor(cy);
  const x1 = Math.min(side - 1, x0 + 1);
  const y1 = Math.min(side - 1, y0 + 1);
  const fx = cx - x0;
  const fy = cy - y0;
  const at = 4 * p;
  indices[at] = y0 * side + x0;
  indices[at + 1] = y0 * side + x1;
  indices[at + 2] = y1 * side + x0;
  indices[at + 3] = y1 * side + x1;
  weights[at] = (1 - fx) * (1 - fy);
  weights[at + 1] = fx * (1 - fy);
  weights[at + 2] = (1 - fx) * fy;
  weights[at + 3] = fx * fy;
}

/** Calls `visit(p, sourceX, sourceY)` for each output pixel p of `transform` applied to a side x side image. */
function forEachSourcePosition(side: number, transform: ImageTransform, visit: (p: number, x: number, y: number) => void): void {
  const { flip, dx, dy, angle, zoom } = transform;
  const centre = (side - 1) / 2;
  // Inverse map: output pixel -> source position (rotate back, unzoom, shift, mirror).
  const cos = Math.cos(angle) / zoom;
  const sin = Math.sin(angle) / zoom;
  for (let y = 0; y < side; y++) {
    const v = y - centre;
    for (let x = 0; x < side; x++) {
      const u = x - centre;
      const sx = cos * u + sin * v + centre + dx;
      const sy = -sin * u + cos * v + centre + dy;
      visit(y * side + x, flip ? side - 1 - sx : sx, sy);
    }
  }
}

/** The sampling table of `transform` on side x side images. */
export function warpTable(side: number, transform: ImageTransform): WarpTable {
  const indices = new Int32Array(4 * side * side);
  const weights = new Float32Array(4 * side * side);
  forEachSourcePosition(side, transform, (p, x, y) => writeTaps(side, x, y, indices, weights, p));
  return { indices, weights };
}

/**
 * Writes image `from` of `source` (side x side grey, back to back), transformed, into `target`
 * at offset `to`. Plain loops: cheaper than tensor ops for one 48x48 training image.
 */
export function transformImage(source: Uint8Array, from: number, side: number, transform: ImageTransform, target: Float32Array, to: number): void {
  const indices = new Int32Array(4);
  const weights = new Float64Array(4);
  forEachSourcePosition(side, transform, (p, x, y) => {
    writeTaps(side, x, y, indices, weights, 0);
    let value = 0;
    for (let k = 0; k < 4; k++) value += (source[from + (indices[k] as number)] as number) * (weights[k] as number);
    target[to + p] = value;
  });
}

/** Applies a warp table to a batch of images [N,side,side,1]. Not differentiable on every backend (gather's gradient). */
export function warpImages(images: tf.Tensor4D, table: WarpTable): tf.Tensor4D {
  return tf.tidy(() => {
    const [count, height, width] = images.shape;
    const area = height * width;
    const taps = tf.gather(images.reshape([count, area]), tf.tensor1d(table.indices, 'int32'), 1).reshape([count, area, 4]);
    return taps
      .mul(tf.tensor2d(table.weights, [area, 4]))
      .sum(2)
      .reshape<tf.Tensor4D>([count, height, width, 1]);
  });
}

/** Adds the gradient of a warped image (`gradient`, side x side) to the source image's gradient `target`: the warp's transpose. */
export function addUnwarpedGradient(gradient: ArrayLike<number>, table: WarpTable, target: Float32Array): void {
  for (let p = 0; p < gradient.length; p++) {
    for (let k = 4 * p; k < 4 * p + 4; k++) {
      const source = table.indices[k] as number;
      target[source] = (target[source] as number) + (gradient[p] as number) * (table.weights[k] as number);
    }
  }
}
