import * as tf from '@tensorflow/tfjs';
import { NUM_EXPRESSIONS } from '@fer/core';

/** Shape of the custom CNN. */
export interface CnnConfig {
  /** Input side in pixels (FER2013: 48). */
  inputSize: number;
  /**
   * Average-pools the input by this factor before the first conv (absent: 1, none). Every later layer then
   * does a quarter of the work per image at 2: the quick preset's way to train many more steps in its budget.
   */
  downsample?: number;
  /** Filters of the first conv block; each later block doubles them. */
  width: number;
  /** Conv blocks, each (conv-BN-ReLU) x convsPerBlock then 2x2 max-pool. */
  blocks: number;
  convsPerBlock: number;
  /** Units of the dense layer whose ReLU output is the default SVM feature. */
  embeddingUnits: number;
  dropout: number;
  /** L2 weight decay on conv and dense kernels. */
  l2: number;
}

/** Names of layers worth feeding to the SVM, from the deepest; `embedding` is the default. */
export const FEATURE_LAYERS = {
  embedding: 'embedding',
  flatten: 'flatten',
  lastBlock: 'block_last_pool',
} as const;

/** The max-pool layer that ends conv block `block` (1-based), for every block but the last (`FEATURE_LAYERS.lastBlock`). */
export function blockPoolLayer(block: number): string {
  return `block${block}_pool`;
}

/**
 * A VGG-style CNN: small 3x3 convs with batch norm, max-pooling between blocks, then a
 * flattened map (spatial layout matters for expressions: GAP would forget where the
 * mouth is), a ReLU embedding and a softmax head. Named layers let the SVM pick its features.
 */
export function buildCnn(config: CnnConfig): tf.LayersModel {
  const input = tf.input({ shape: [config.inputSize, config.inputSize, 1], name: 'pixels' });
  return tf.model({ inputs: input, outputs: applyCnnLayers(input, config), name: 'fer_cnn' });
}

/**
 * Applies a fresh set of the CNN's layers to `input` and returns the softmax output. Every layer
 * is named `${prefix}${name}`, so several copies can live in one model (see ensemble.ts).
 */
export function applyCnnLayers(input: tf.SymbolicTensor, config: CnnConfig, prefix = ''): tf.SymbolicTensor {
  const regularizer = config.l2 > 0 ? tf.regularizers.l2({ l2: config.l2 }) : undefined;
  const named = (name: string) => `${prefix}${name}`;
  let x = input;
  const downsample = config.downsample ?? 1;
  if (downsample > 1) x = tf.layers.averagePooling2d({ poolSize: downsample, name: named('downsample') }).apply(x) as tf.SymbolicTensor;
  for (let block = 0; block < config.blocks; block++) {
    const filters = config.width * 2 ** block;
    for (let conv = 0; conv < config.convsPerBlock; conv++) {
      const name = `block${block + 1}_conv${conv + 1}`;
      x = tf.layers
        .conv2d({ filters, kernelSize: 3, padding: 'same', useBias: false, kernelRegularizer: regularizer, name: named(name) })
        .apply(x) as tf.SymbolicTensor;
      x = tf.layers.batchNormalization({ name: named(`${name}_bn`) }).apply(x) as tf.SymbolicTensor;
      x = tf.layers.reLU({ name: named(`${name}_relu`) }).apply(x) as tf.SymbolicTensor;
    }
    const last = block === config.blocks - 1;
    x = tf.layers
      .maxPooling2d({ poolSize: 2, name: named(last ? FEATURE_LAYERS.lastBlock : blockPoolLayer(block + 1)) })
      .apply(x) as tf.SymbolicTensor;
  }
  x = tf.layers.flatten({ name: named(FEATURE_LAYERS.flatten) }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.dropout({ rate: config.dropout, name: named('flatten_dropout') }).apply(x) as tf.SymbolicTensor;
  x = tf.layers
    .dense({ units: config.embeddingUnits, activation: 'relu', kernelRegularizer: regularizer, name: named(FEATURE_LAYERS.embedding) })
    .apply(x) as tf.SymbolicTensor;
  x = tf.layers.dropout({ rate: config.dropout, name: named('embedding_dropout') }).apply(x) as tf.SymbolicTensor;
  return tf.layers.dense({ units: NUM_EXPRESSIONS, activation: 'softmax', name: named('expression') }).apply(x) as tf.SymbolicTensor;
}

/** Multiply-accumulates of one forward pass: the cost that matters for phones. */
export function countMacs(model: tf.LayersModel): number {
  let macs = 0;
  for (const layer of model.layers) {
    const out = layer.outputShape as number[];
    const weights = layer.getWeights()[0];
    if (weights === undefined || layer.getClassName() === 'BatchNormalization') continue;
    const spatial = out.length === 4 ? (out[1] as number) * (out[2] as number) : 1;
    macs += spatial * weights.size;
  }
  return macs;
}
