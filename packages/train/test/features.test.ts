import { beforeAll, describe, expect, it } from 'vitest';
import { applyFeatureNetwork, faceViews, featureNetwork, pixelsToInput, type InputSpec } from '@fer/core';
import { selectTrainingBackend } from '../src/backend/selectBackend.js';
import type { LabeledImages } from '../src/data/labeledImages.js';
import { FEATURE_LAYERS, buildCnn, type CnnConfig } from '../src/model/cnn.js';
import { VIEW_SETS } from '../src/model/viewSets.js';
import { extractFeatures } from '../src/training/features.js';
import { greyImage } from './helpers/fixtures.js';

const config: CnnConfig = { inputSize: 48, width: 4, blocks: 2, convsPerBlock: 1, embeddingUnits: 16, dropout: 0.2, l2: 1e-4 };
const input: InputSpec = { height: 48, width: 48, channels: 1, mean: 0.5, std: 0.25, cropMargin: 0.15 };
const count = 7;
const images: LabeledImages = {
  split: 'train',
  size: 48,
  count,
  pixels: Uint8Array.from(Array.from({ length: count }, (_, i) => [...greyImage(i)]).flat()),
  labels: new Uint8Array(count),
  sources: Array.from({ length: count }, (_, i) => `image ${i}`),
};

beforeAll(async () => {
  await selectTrainingBackend({ prefer: 'wasm' });
});

describe('extractFeatures', () => {
  it('gives, over any number of worker threads, the features and probabilities the network gives here', async () => {
    const cnn = buildCnn(config);
    const views = faceViews(input, true, VIEW_SETS.shifts.views);
    const network = featureNetwork(cnn, FEATURE_LAYERS.lastBlock);
    const [expectedFeatures, expectedProbabilities] = applyFeatureNetwork(network, pixelsToInput(images.pixels, count, input), views);
    for (const threads of [1, 3]) {
      const extracted = await extractFeatures(cnn, FEATURE_LAYERS.lastBlock, images, input, views, { threads });
      expect(extracted.dims).toBe(network.featureDims);
      expect(Array.from(extracted.features)).toEqual(Array.from(await expectedFeatures.data()));
      expect(Array.from(extracted.cnnProbabilities)).toEqual(Array.from(await expectedProbabilities.data()));
    }
    network.dispose();
    cnn.dispose();
  });

  it('reports progress over all threads, and keeps only the probabilities when asked', async () => {
    const cnn = buildCnn(config);
    const progress: number[] = [];
    const extracted = await extractFeatures(cnn, FEATURE_LAYERS.embedding, images, input, faceViews(input, false, []), {
      threads: 2,
      probabilitiesOnly: true,
      onProgress: (done) => progress.push(done),
    });
    expect(extracted.features).toHaveLength(0);
    expect(extracted.cnnProbabilities).toHaveLength(count * 7);
    expect(progress.at(-1)).toBe(count);
    cnn.dispose();
  });

  it('fails with the layer and the reason when the network has no such layer', async () => {
    // Whichever part fails first is reported.
    const cnn = buildCnn(config);
    await expect(extractFeatures(cnn, 'no_such_layer', images, input, faceViews(input, false, []), { threads: 2 })).rejects.toThrow(
      /feature extraction \('no_such_layer', faces \d-\d\) failed: .*no_such_layer/,
    );
    cnn.dispose();
  });
});
