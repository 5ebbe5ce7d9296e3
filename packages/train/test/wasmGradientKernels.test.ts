import * as tf from '@tensorflow/tfjs';
import seedrandom from 'seedrandom';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectTrainingBackend } from '../src/backend/selectBackend.js';
import { registerWasmGradientKernels } from '@fer/core/wasm-gradients';

type Shape4 = [number, number, number, number];
type Pad = 'same' | 'valid' | number;

interface Case {
  x: Shape4;
  f: Shape4;
  stride: 1 | 2;
  pad: Pad;
}

const rng = seedrandom('wasm-conv-grad');
const int = (lo: number, hi: number): number => lo + Math.floor(rng() * (hi - lo + 1));
const randomValues = (n: number): Float32Array => Float32Array.from({ length: n }, () => rng() * 2 - 1);
const size = (s: number[]): number => s.reduce((a, b) => a * b, 1);

/** Fixed corner cases (odd sizes, 1x1 and even kernels, rows a strided 'valid' conv never reads). */
const fixedCases: Case[] = [
  { x: [2, 7, 7, 3], f: [3, 3, 3, 4], stride: 1, pad: 'same' },
  { x: [2, 7, 7, 3], f: [3, 3, 3, 4], stride: 2, pad: 'same' },
  { x: [2, 7, 8, 3], f: [3, 3, 3, 4], stride: 2, pad: 'valid' },
  { x: [3, 9, 6, 2], f: [2, 2, 2, 5], stride: 2, pad: 'same' },
  { x: [1, 8, 8, 1], f: [3, 3, 1, 2], stride: 1, pad: 'valid' },
  { x: [2, 6, 5, 2], f: [1, 1, 2, 3], stride: 2, pad: 'valid' },
  { x: [2, 11, 9, 2], f: [5, 5, 2, 3], stride: 2, pad: 'same' },
  { x: [2, 6, 7, 2], f: [3, 3, 2, 3], stride: 2, pad: 1 },
  { x: [1, 5, 5, 2], f: [3, 3, 2, 2], stride: 1, pad: 2 },
];

function randomCase(): Case {
  const stride = int(1, 2) as 1 | 2;
  const pad: Pad = rng() < 0.5 ? 'same' : 'valid';
  const x: Shape4 = [int(1, 4), int(1, 12), int(1, 12), int(1, 5)];
  // Kernel no larger than the input: stock wasm Conv2D corrupts its heap on empty outputs.
  const f: Shape4 = [int(1, Math.min(4, x[1])), int(1, Math.min(4, x[2])), x[3], int(1, 6)];
  return { x, f, stride, pad };
}

const cases: Case[] = [...fixedCases, ...Array.from({ length: 16 }, randomCase)];

/** dLoss/dx and dLoss/dFilter of sum(conv2d(x, f) * w) on the current backend. */
function convGrads(c: Case, xv: Float32Array, fv: Float32Array, wv: Float32Array): [Float32Array, Float32Array] {
  return tf.tidy(() => {
    const x = tf.tensor4d(xv, c.x);
    const f = tf.tensor4d(fv, c.f);
    const outShape = tf.conv2d(x, f, c.stride, c.pad).shape;
    const w = tf.tensor(wv.subarray(0, size(outShape)), outShape);
    const grads = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.pad), w)));
    const [dx, df] = grads([x, f]);
    return [dx!.dataSync() as Float32Array, df!.dataSync() as Float32Array];
  });
}

/** Max absolute difference relative to the reference's largest magnitude. */
function relError(actual: Float32Array, expected: Float32Array): number {
  expect(actual.length).toBe(expected.length);
  let diff = 0;
  let scale = 1e-6;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i]! - expected[i]!));
    scale = Math.max(scale, Math.abs(expected[i]!));
  }
  return diff / scale;
}

beforeAll(async () => {
  const info = await selectTrainingBackend({ prefer: 'wasm' });
  expect(info.name).toBe('wasm');
}, 30_000);

describe('wasm conv2d gradient kernels', () => {
  it('registration is idempotent and replaces the stock kernels', () => {
    registerWasmGradientKernels();
    const filter = tf.getKernel('Conv2DBackpropFilter', 'wasm');
    const input = tf.getKernel('Conv2DBackpropInput', 'wasm');
    registerWasmGradientKernels();
    expect(filter).toBeDefined();
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')?.kernelFunc).toBe(filter?.kernelFunc);
    expect(tf.getKernel('Conv2DBackpropInput', 'wasm')?.kernelFunc).toBe(input?.kernelFunc);
  });

  it.each(cases.map((c) => [`x${c.x.join('x')} f${c.f.join('x')} s${c.stride} ${c.pad}`, c] as const))(
    'matches the cpu backend: %s',
    async (_name, c) => {
      const xv = randomValues(size(c.x));
      const fv = randomValues(size(c.f));
      const wv = randomValues(size(c.x) * c.f[3]); // enough for any output shape

      await tf.setBackend('cpu');
      const [dxCpu, dfCpu] = convGrads(c, xv, fv, wv);
      await tf.setBackend('wasm');
      const before = tf.memory().numTensors;
      const [dxWasm, dfWasm] = convGrads(c, xv, fv, wv);

      expect(relError(dxWasm, dxCpu)).toBeLessThan(1e-3);
      expect(relError(dfWasm, dfCpu)).toBeLessThan(1e-3);
      expect(tf.memory().numTensors).toBe(before); // kernels neither leak nor free others' tensors
    },
  );
});

describe('wasm Tile replacement', () => {
  const tileCases: [number[], number[], 'float32' | 'int32'][] = [
    [[1, 1, 1, 16], [8, 6, 6, 1], 'float32'], // the batch-norm gradient's case (fast path)
    [[5, 1, 3], [1, 4, 1], 'int32'], // fast path, int32
    [[3, 5, 7, 2], [2, 3, 1, 5], 'float32'], // not a broadcast: stock kernel
    [[4, 3], [1, 1], 'float32'],
  ];
  it.each(tileCases)('matches the cpu backend: %j x %j %s', async (shape, reps, dtype) => {
    const values = Array.from(randomValues(size(shape)), (v) => (dtype === 'int32' ? Math.round(v * 100) : v));
    const run = (): Float32Array | Int32Array =>
      tf.tidy(() => tf.tile(tf.tensor(values, shape, dtype), reps).dataSync() as Float32Array | Int32Array);
    await tf.setBackend('cpu');
    const expected = run();
    await tf.setBackend('wasm');
    const before = tf.memory().numTensors;
    const actual = run();
    expect(Array.from(actual)).toEqual(Array.from(expected));
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('training on wasm', () => {
  it('trains a tiny conv-bn-relu-pool-dense net and the loss decreases', async () => {
    await tf.setBackend('wasm');
    expect(tf.getBackend()).toBe('wasm');
    // Two learnable classes: bright top half vs bright bottom half, plus noise.
    const n = 32;
    const pixels = new Float32Array(n * 12 * 12);
    const labels: number[] = [];
    for (let i = 0; i < n; i++) {
      const cls = i % 2;
      labels.push(cls);
      for (let r = 0; r < 12; r++) {
        for (let col = 0; col < 12; col++) {
          const bright = r < 6 === (cls === 0) ? 1 : 0;
          pixels[i * 144 + r * 12 + col] = bright + (rng() - 0.5) * 0.5;
        }
      }
    }
    const xs = tf.tensor4d(pixels, [n, 12, 12, 1]);
    const ys = tf.oneHot(tf.tensor1d(labels, 'int32'), 2);

    const init = (seed: number) => tf.initializers.glorotUniform({ seed });
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [12, 12, 1], filters: 4, kernelSize: 3, padding: 'same', kernelInitializer: init(1) }),
        tf.layers.batchNormalization(),
        tf.layers.activation({ activation: 'relu' }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, activation: 'relu', kernelInitializer: init(2) }),
        tf.layers.dropout({ rate: 0.1, seed: 3 }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 2, activation: 'softmax', kernelInitializer: init(4) }),
      ],
    });
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });

    const losses: number[] = [];
    for (let step = 0; step < 6; step++) {
      const loss = await model.trainOnBatch(xs, ys);
      losses.push(Array.isArray(loss) ? loss[0]! : loss);
    }
    for (const loss of losses) expect(Number.isFinite(loss)).toBe(true);
    expect(losses.at(-1)!).toBeLessThan(losses[0]!);

    model.dispose();
    xs.dispose();
    ys.dispose();
  }, 20_000);
});
