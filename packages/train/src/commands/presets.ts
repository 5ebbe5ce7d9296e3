import { FEATURE_LAYERS, blockPoolLayer } from '../model/cnn.js';
import type { TrainConfig } from '../training/trainer.js';
import type { ViewSetName } from '../model/viewSets.js';

/** A named starting point for `fer train`; every field can still be overridden by a flag. */
export interface Preset {
  description: string;
  train: TrainConfig;
  /** Layers whose flattened outputs, side by side, feed the SVM. */
  featureLayers: string[];
  /** CNNs whose features the SVM reads: the best plus the `ensemble - 1` latest other cycle-end snapshots. */
  ensemble: number;
  /** Average features over each face and its mirror image (see the manifest's cnn.mirrorAverage). */
  mirrorAverage: boolean;
  /** Transformed copies of each face whose scores are averaged with its own (see the manifest's cnn.testTimeViews). */
  testTimeViews: ViewSetName;
  /** C candidates for the CNN-feature SVM and for the raw-pixel baseline (compared on PublicTest). */
  svmC: number[];
  pixelSvmC: number[];
}

/** Two replicas: the wasm backend uses one core per thread, and the target machine has two. */
const common = { seed: 42, batchSize: 64, replicas: 2, augment: { flip: 0.5, maxShift: 4, maxRotation: 10, maxScale: 0.1 } } as const;

export const PRESETS = {
  quick: {
    description: 'a usable model in minutes: a small CNN, 3 epochs',
    train: {
      ...common,
      epochs: 3,
      learningRate: 2e-3,
      cnn: { inputSize: 48, width: 16, blocks: 3, convsPerBlock: 1, embeddingUnits: 128, dropout: 0.3, l2: 1e-4 },
    },
    featureLayers: [FEATURE_LAYERS.embedding],
    ensemble: 1,
    mirrorAverage: true,
    testTimeViews: 'none',
    svmC: [0.003, 0.01],
    pixelSvmC: [0.001],
  },
  default: {
    description: 'the shipped model: a VGG-style CNN (4 blocks of 2 convs)',
    train: {
      ...common,
      // Cycles of 4, 8, 16... epochs: 12 ends the second; `--resume --epochs 28` extends to the third.
      epochs: 12,
      restarts: { firstCycle: 4, growth: 2 },
      learningRate: 1e-3,
      cnn: { inputSize: 48, width: 16, blocks: 4, convsPerBlock: 2, embeddingUnits: 256, dropout: 0.4, l2: 1e-4 },
    },
    // Four layers side by side (8,320 features; they are computed anyway, so no extra CNN pass). On the
    // epoch-252 CNN with the shipped views: 70.55% on PublicTest, against 70.35% for block_last_pool +
    // embedding (1,408 features, shipped before); `pnpm study layers` compares single layers.
    featureLayers: [blockPoolLayer(2), blockPoolLayer(3), FEATURE_LAYERS.lastBlock, FEATURE_LAYERS.embedding],
    ensemble: 1,
    // +0.7 points on PublicTest for the 6-epoch model (56.70% -> 57.37%), for twice the inference cost.
    mirrorAverage: true,
    // The epoch-252 CNN's four-layer SVM: 69.57% on the face and its mirror image (`pnpm study layers`), 70.55% with these 4 views (5x the cost); `pnpm study views` compares sets.
    testTimeViews: 'zoom-turn',
    // 8,320 features want a small C: on the epoch-252 CNN 3e-5 scored 70.52%, 1e-4 70.55%, 3e-4 70.02% (models/REPORT.md).
    svmC: [0.00003, 0.0001, 0.0003],
    pixelSvmC: [0.001],
  },
} satisfies Record<string, Preset>;

export type PresetName = keyof typeof PRESETS;
