import * as tf from '@tensorflow/tfjs';
import { applyCnnLayers, type CnnConfig } from './cnn.js';

/** Name of the fused model's feature layer: the chosen layers of every member, side by side. */
export const FUSED_FEATURES = 'fused_features';

/**
 * The method's feature fusion, shipped as one tfjs model so that the classifier, the saliency maps
 * and the web app need no notion of members or layers. It has one input and two outputs: the
 * members' softmax head (the mean of the heads when there are several; it stays first, so it is
 * still "the CNN's own head") and {@link FUSED_FEATURES}, the concatenation of every member's
 * flattened `featureLayers`, member by member, which the SVM reads.
 *
 * All members must have the architecture `config` describes. One member keeps its layer names;
 * with several, member i's layers are named `m{i}_...`. Weights are copied: the members stay the
 * caller's to dispose.
 */
export function fuseCnns(members: readonly tf.LayersModel[], config: CnnConfig, featureLayers: readonly string[]): tf.LayersModel {
  if (members.length * featureLayers.length < 2) {
    throw new RangeError(`fusing needs at least two CNNs or two feature layers, got ${members.length} CNN(s) and ${featureLayers.length} layer(s)`);
  }
  const input = tf.input({ shape: [config.inputSize, config.inputSize, 1], name: 'pixels' });
  const prefixes = members.length === 1 ? [''] : members.map((_, i) => `m${i + 1}_`);
  const heads = prefixes.map((prefix) => applyCnnLayers(input, config, prefix));
  // The member graphs are complete now; a throw-away model makes their inner layers reachable by name.
  const graph = tf.model({ inputs: input, outputs: heads });
  const features = prefixes.flatMap((prefix) =>
    featureLayers.map((layer) => {
      const output = graph.getLayer(`${prefix}${layer}`).output as tf.SymbolicTensor;
      return output.rank > 2 ? (tf.layers.flatten({ name: `${prefix}${layer}_flat` }).apply(output) as tf.SymbolicTensor) : output;
    }),
  );
  const head = heads.length === 1 ? (heads[0] as tf.SymbolicTensor) : (tf.layers.average({ name: 'expression' }).apply(heads) as tf.SymbolicTensor);
  const fused = tf.layers.concatenate({ name: FUSED_FEATURES }).apply(features) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: [head, fused], name: 'fer_cnn_fused' });
  members.forEach((member, i) => {
    for (const layer of member.layers) {
      if (layer.weights.length > 0) model.getLayer(`${prefixes[i]}${layer.name}`).setWeights(layer.getWeights());
    }
  });
  return model;
}
