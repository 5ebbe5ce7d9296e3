/**
 * Gradient kernels for the tfjs 'wasm' backend (4.22), needed to train on it (Node) and for saliency maps (browser). Stock wasm has no `Conv2DBackpropFilter`
 * (training a conv net throws) and a slow `Conv2DBackpropInput`; both gradients are convolutions
 * themselves, so we express them with wasm's fast forward Conv2D (XNNPACK).
 *
 * Forward (NHWC, dilation 1): y[n,i,j,o] = sum_{p,q,c} x[n, i*s+p-padTop, j*s+q-padLeft, c] f[p,q,c,o]
 *
 * - Filter gradient: treat channels as batch and batch as channels. With xT = x as [C,H,W,N] and
 *   dyT = dy as [OH,OW,N,CO], dF^T[c,p,q,o] = conv2d(xT, dyT, stride 1, dilation s) restricted to
 *   p < KH, q < KW; transposed back to [KH,KW,C,CO].
 * - Input gradient: a stride-1 convolution of dy (zero-stuffed by the stride and padded by
 *   K-1-pad) with the spatially flipped, in/out-swapped filter [KH,KW,CO,C].
 *
 * Pitfalls: a kernel must never dispose its inputs (they belong to the caller and the gradient
 * tape; disposing them crashes training later). Inputs are wrapped with an extra reference so the
 * `tidy` below releases only that reference. The kernel returns its new output *Tensor* (which the
 * engine adopts as is); returning a bare {dataId, shape, dtype} copy of it would give the data two
 * owners. Stock wasm Conv2D corrupts the wasm heap on empty tensors, so those are special-cased.
 */
import * as tf from '@tensorflow/tfjs';
// Loaded for its side effect: it registers the 'wasm' backend and its stock kernels, which must
// happen before ours so that ours replace them and not the other way round.
import '@tensorflow/tfjs-backend-wasm';

type Tensor4D = tf.Tensor4D;
type Pads = [[number, number], [number, number], [number, number], [number, number]];

interface ConvGeometry {
  strideH: number;
  strideW: number;
  padTop: number;
  padBottom: number;
  padLeft: number;
  padRight: number;
  outH: number;
  outW: number;
}

function geometry(
  xShape: [number, number, number, number],
  filterShape: [number, number, number, number],
  strides: [number, number] | number,
  pad: tf.Conv2DBackpropFilterAttrs['pad'],
  dimRoundingMode: 'floor' | 'round' | 'ceil' | undefined,
  dataFormat: 'NHWC' | 'NCHW',
  kernelName: string,
): ConvGeometry {
  if (dataFormat !== 'NHWC') {
    throw new Error(`${kernelName} on wasm supports dataFormat NHWC only, got ${dataFormat}`);
  }
  const info = tf.backend_util.computeConv2DInfo(xShape, filterShape, strides, 1, pad, dimRoundingMode, false, 'channelsLast');
  return {
    strideH: info.strideHeight,
    strideW: info.strideWidth,
    padTop: info.padInfo.top,
    padBottom: info.padInfo.bottom,
    padLeft: info.padInfo.left,
    padRight: info.padInfo.right,
    outH: info.outHeight,
    outW: info.outWidth,
  };
}

function isEmpty(shape: readonly number[]): boolean {
  return shape.some((d) => d === 0);
}

/**
 * A Tensor view of a kernel input that owns one extra backend reference, so disposing the view
 * (e.g. by `tidy`) leaves the caller's tensor intact.
 */
function borrow(info: tf.TensorInfo, backend: object): Tensor4D {
  const kernelBackend = backend as tf.KernelBackend;
  kernelBackend.incRef(info.dataId);
  return tf.engine().makeTensorFromTensorInfo(info, kernelBackend) as Tensor4D;
}

/**
 * Pads (non-negative amounts) or crops (negative amounts) the two spatial axes, so callers can
 * express "make this axis exactly this long" without caring which way it goes.
 */
function padOrCrop(t: Tensor4D, top: number, bottom: number, left: number, right: number): Tensor4D {
  let out = t;
  if (top < 0 || bottom < 0 || left < 0 || right < 0) {
    const [n, h, w, c] = out.shape;
    const t0 = Math.max(0, -top);
    const l0 = Math.max(0, -left);
    out = tf.slice(out, [0, t0, l0, 0], [n, h - t0 - Math.max(0, -bottom), w - l0 - Math.max(0, -right), c]);
  }
  const pt = Math.max(0, top);
  const pb = Math.max(0, bottom);
  const pl = Math.max(0, left);
  const pr = Math.max(0, right);
  if (pt || pb || pl || pr) {
    out = tf.pad(out, [
      [0, 0],
      [pt, pb],
      [pl, pr],
      [0, 0],
    ]);
  }
  return out;
}

/** Inserts stride-1 zeros between rows and columns: [N,OH,OW,C] -> [N,OH*sh,OW*sw,C]. */
function zeroStuff(dy: Tensor4D, sh: number, sw: number): Tensor4D {
  if (sh === 1 && sw === 1) return dy;
  const [n, oh, ow, c] = dy.shape;
  const expanded = tf.reshape(dy, [n, oh, 1, ow, 1, c]);
  const padded = tf.pad(expanded, [
    [0, 0],
    [0, 0],
    [0, sh - 1],
    [0, 0],
    [0, sw - 1],
    [0, 0],
  ]);
  return tf.reshape(padded, [n, oh * sh, ow * sw, c]);
}

/**
 * The filter rotated by 180 degrees in space (`tf.reverse(filter, [0, 1])`), as a product with the
 * KH*KW-square anti-identity: wasm's Reverse and Gather do index arithmetic per element (~11 ms for
 * a 3x3x128x128 filter, a quarter of a saliency map's cost), while the product runs on XNNPACK,
 * exactly (each output is one input times 1 plus zeros).
 */
function flipTaps(filter: Tensor4D): Tensor4D {
  const [kh, kw, c, co] = filter.shape;
  const taps = kh * kw;
  const antiIdentity = tf.reverse(tf.eye(taps), 0);
  return tf.reshape(tf.matMul(antiIdentity, tf.reshape(filter, [taps, c * co])), [kh, kw, c, co]);
}

function conv2DBackpropFilter({ inputs, attrs, backend }: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const { x: xInfo, dy: dyInfo } = inputs;
  if (xInfo == null || dyInfo == null) throw new Error('Conv2DBackpropFilter needs x and dy');
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  const xShape = xInfo.shape as [number, number, number, number];
  const [kh, kw] = filterShape;
  const g = geometry(xShape, filterShape, strides, pad, dimRoundingMode, dataFormat, 'Conv2DBackpropFilter');
  // Stock wasm Conv2D corrupts its heap on empty tensors; an empty gradient is all zeros anyway.
  if (isEmpty(xShape) || isEmpty(dyInfo.shape)) return tf.zeros(filterShape);

  return tf.tidy(() => {
    const x = borrow(xInfo, backend);
    const dy = borrow(dyInfo, backend);
    const [, h, w] = xShape;
    // Rows of the padded input the forward pass touched; pad (or crop unused rows) to exactly that,
    // so the dilated convolution below yields exactly KH x KW positions.
    const needH = (g.outH - 1) * g.strideH + kh;
    const needW = (g.outW - 1) * g.strideW + kw;
    const xT = tf.transpose(x, [3, 1, 2, 0]); // [C,H,W,N]
    const dyT = tf.transpose(dy, [1, 2, 0, 3]); // [OH,OW,N,CO]
    let dfT: Tensor4D;
    const bottom = needH - g.padTop - h;
    const right = needW - g.padLeft - w;
    if (bottom >= 0 && right >= 0) {
      const pads: Pads = [
        [0, 0],
        [g.padTop, bottom],
        [g.padLeft, right],
        [0, 0],
      ];
      dfT = tf.conv2d(xT, dyT, 1, pads, 'NHWC', [g.strideH, g.strideW]);
    } else {
      const xc = padOrCrop(xT, g.padTop, bottom, g.padLeft, right);
      dfT = tf.conv2d(xc, dyT, 1, 'valid', 'NHWC', [g.strideH, g.strideW]);
    }
    return tf.transpose(dfT, [1, 2, 0, 3]); // [KH,KW,C,CO]
  });
}

function conv2DBackpropInput({ inputs, attrs, backend }: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const { dy: dyInfo, filter: filterInfo } = inputs;
  if (dyInfo == null || filterInfo == null) throw new Error('Conv2DBackpropInput needs dy and filter');
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs as unknown as tf.Conv2DBackpropInputAttrs;
  const filterShape = filterInfo.shape as [number, number, number, number];
  const [kh, kw] = filterShape;
  const g = geometry(inputShape, filterShape, strides, pad, dimRoundingMode, dataFormat, 'Conv2DBackpropInput');
  const [, h, w] = inputShape;
  if (isEmpty(inputShape) || isEmpty(dyInfo.shape) || isEmpty(filterShape)) return tf.zeros(inputShape);

  return tf.tidy(() => {
    const dy = borrow(dyInfo, backend);
    const filter = borrow(filterInfo, backend);
    const flipped = tf.transpose(flipTaps(filter), [0, 1, 3, 2]); // [KH,KW,CO,C]
    const stuffed = zeroStuff(dy, g.strideH, g.strideW); // (OH*s) rows, the last s-1 zero
    // Padded length must be H + KH - 1 for a stride-1 'valid' conv to give H rows.
    const top = kh - 1 - g.padTop;
    const left = kw - 1 - g.padLeft;
    const bottom = h + kh - 1 - top - g.outH * g.strideH;
    const right = w + kw - 1 - left - g.outW * g.strideW;
    if (top >= 0 && bottom >= 0 && left >= 0 && right >= 0) {
      const pads: Pads = [
        [0, 0],
        [top, bottom],
        [left, right],
        [0, 0],
      ];
      return tf.conv2d(stuffed, flipped, 1, pads, 'NHWC');
    }
    return tf.conv2d(padOrCrop(stuffed, top, bottom, left, right), flipped, 1, 'valid', 'NHWC');
  });
}

/**
 * Tile, fast path for the broadcast case (every axis either has size 1 or is repeated once), which is
 * what the batch-norm gradient uses: stock wasm Tile does per-element index arithmetic (~200 ms
 * for a [64,48,48,16] output, a quarter of a training step); fill + broadcasting multiply is ~30x
 * faster and exact. Other cases go to the stock kernel.
 */
function makeTileConfig(stock: tf.KernelConfig): tf.KernelConfig {
  const tile: tf.KernelFunc = (args) => {
    const { inputs, attrs, backend } = args;
    const xInfo = inputs.x;
    const reps = (attrs as unknown as tf.TileAttrs | undefined)?.reps;
    if (xInfo == null || reps == null) return stock.kernelFunc(args);
    const broadcastable =
      (xInfo.dtype === 'float32' || xInfo.dtype === 'int32') &&
      reps.length === xInfo.shape.length &&
      reps.some((r) => r !== 1) &&
      xInfo.shape.every((d, i) => d === 1 || reps[i] === 1) &&
      !isEmpty(xInfo.shape);
    if (!broadcastable) return stock.kernelFunc(args);
    const outShape = xInfo.shape.map((d, i) => d * (reps[i] ?? 1));
    return tf.tidy(() => tf.mul(tf.fill(outShape, 1, xInfo.dtype), borrow(xInfo, backend)));
  };
  // Keep the stock setup: it binds the wasm function the fallback calls.
  return { ...stock, kernelFunc: tile };
}

const replacements: tf.KernelConfig[] = [
  { kernelName: tf.Conv2DBackpropFilter, backendName: 'wasm', kernelFunc: conv2DBackpropFilter },
  { kernelName: tf.Conv2DBackpropInput, backendName: 'wasm', kernelFunc: conv2DBackpropInput },
];
let registered = false;

/**
 * Makes conv nets trainable (and fast to train) on the 'wasm' backend: replaces its missing
 * `Conv2DBackpropFilter` and slow `Conv2DBackpropInput` with forward-conv formulations, and its
 * slow broadcast `Tile` (used by the batch-norm gradient). Idempotent; call before training.
 */
export function registerWasmGradientKernels(): void {
  if (registered) return;
  const stockTile = tf.getKernel(tf.Tile, 'wasm');
  if (stockTile != null) replacements.push(makeTileConfig(stockTile));
  for (const config of replacements) {
    if (tf.getKernel(config.kernelName, 'wasm') != null) tf.unregisterKernel(config.kernelName, 'wasm');
    tf.registerKernel(config);
  }
  registered = true;
}
