import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectTrainingBackend } from '../src/backend/selectBackend.js';
import { buildCnn, countMacs, type CnnConfig } from '../src/model/cnn.js';

const cnn: CnnConfig = { inputSize: 48, width: 4, blocks: 2, convsPerBlock: 2, embeddingUnits: 16, dropout: 0.2, l2: 1e-4 };

beforeAll(async () => {
  await selectTrainingBackend({ prefer: 'wasm' });
});

describe('buildCnn with downsample', () => {
  it('is the same network run on the 2x2-averaged face, at about a quarter of the multiply-accumulates', () => {
    const halved = buildCnn({ ...cnn, downsample: 2 });
    const small = buildCnn({ ...cnn, inputSize: 24 });
    small.setWeights(halved.getWeights());
    const faces = tf.randomUniform([3, 48, 48, 1], 0, 1, 'float32', 7);
    const direct = halved.predict(faces) as tf.Tensor;
    const pooled = small.predict(tf.avgPool(faces as tf.Tensor4D, 2, 2, 'valid')) as tf.Tensor;
    const [a, b] = [direct.dataSync(), pooled.dataSync()];
    expect(a.length).toBe(3 * 7);
    a.forEach((v, i) => expect(v).toBeCloseTo(b[i] as number, 5));
    const ratio = countMacs(halved) / countMacs(buildCnn(cnn));
    expect(ratio).toBeGreaterThan(0.2);
    expect(ratio).toBeLessThan(0.3);
    tf.dispose([faces, direct, pooled]);
  });
});
