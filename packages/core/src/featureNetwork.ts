/**
 * The CNN as the classifier runs it: a function from faces to two outputs, the feature layer's
 * activations (the SVM's input) and the softmax head.
 *
 * tfjs's LayersModel.apply walks the graph layer by layer, and a Conv2D + BatchNormalization + ReLU
 * triple costs three ops and their bookkeeping. For the layer types this project's CNNs use, the
 * graph is compiled instead into plain tf ops, each batch normalization folded into the convolution
 * before it and conv, bias and ReLU run as one fused op: the same function in fewer, cheaper ops
 * (docs/experiments.md has the timings). A model with any other layer runs through
 * LayersModel.apply, unchanged.
 */
import * as tf from '@tensorflow/tfjs';

export interface FeatureNetwork {
  /** [feature layer activations, softmax probabilities] for inputs [N,H,W,C]; differentiable in the input. */
  apply(input: tf.Tensor4D): [tf.Tensor, tf.Tensor];
  /** Values per face of the feature layer. */
  readonly featureDims: number;
  /** Whether apply runs the compiled graph (false: LayersModel.apply). */
  readonly compiled: boolean;
  /** Frees what compiling made (folded weights); the CNN stays its owner's. */
  dispose(): void;
}

/** One entry of a functional model's getConfig().layers. */
interface LayerConfig {
  name: string;
  className: string;
  config: Record<string, unknown>;
  /** [[[inboundLayer, nodeIndex, tensorIndex, kwargs], ...], ...]: one list per call of the layer. */
  inboundNodes: [string, number, number, unknown][][];
}

/** Computes one layer's output from those before it, by layer name. */
type Step = (values: Map<string, tf.Tensor>) => void;

/**
 * The CNN `cnn` seen as `featureLayer`'s activations and its softmax output. Shares weights with
 * `cnn`, which must outlive it.
 */
export function featureNetwork(cnn: tf.LayersModel, featureLayer: string): FeatureNetwork {
  const features = cnn.getLayer(featureLayer).output as tf.SymbolicTensor;
  const model = tf.model({ inputs: cnn.inputs, outputs: [features, cnn.outputs[0] as tf.SymbolicTensor] });
  const featureDims = (features.shape.slice(1) as number[]).reduce((a, b) => a * b, 1);
  const compiled = compileGraph(model);
  if (compiled === undefined) {
    return {
      apply: (input) => model.apply(input, { training: false }) as [tf.Tensor, tf.Tensor],
      featureDims,
      compiled: false,
      dispose: () => undefined,
    };
  }
  return {
    apply: (input) => tf.tidy(() => compiled.run(input)),
    featureDims,
    compiled: true,
    dispose: () => tf.dispose(compiled.owned),
  };
}

/** The model as steps of tf ops, or undefined when it holds a layer or setting this does not know. */
function compileGraph(model: tf.LayersModel): { run: (input: tf.Tensor4D) => [tf.Tensor, tf.Tensor]; owned: tf.Tensor[] } | undefined {
  const { layers, inputLayers, outputLayers } = model.getConfig() as unknown as {
    layers: LayerConfig[];
    inputLayers: [string, number, number][];
    outputLayers: [string, number, number][];
  };
  // A layer called more than once (shared) would need its calls told apart: not compiled.
  if (layers.some((layer) => layer.inboundNodes.length > 1)) return undefined;
  const inputsOf = (layer: LayerConfig): string[] => (layer.inboundNodes[0] ?? []).map(([name]) => name);
  const readers = new Map<string, number>();
  for (const layer of layers) for (const name of inputsOf(layer)) readers.set(name, (readers.get(name) ?? 0) + 1);
  for (const [name] of outputLayers) readers.set(name, (readers.get(name) ?? 0) + 1);
  const graph: Graph = {
    weights: (name) => model.getLayer(name).getWeights(),
    // The layer that alone reads `name`'s output (which is no model output either), if any.
    onlyReader: (name) => (readers.get(name) === 1 ? layers.find((layer) => inputsOf(layer).join() === name) : undefined),
  };

  const owned: tf.Tensor[] = [];
  const steps: Step[] = [];
  const absorbed = new Set<string>();
  for (const layer of layers) {
    if (absorbed.has(layer.name) || layer.className === 'InputLayer') continue;
    const compiled =
      layer.config.dataFormat === undefined || layer.config.dataFormat === 'channelsLast' ? compileLayer(layer, inputsOf(layer), graph) : undefined;
    if (compiled === undefined) {
      tf.dispose(owned);
      return undefined;
    }
    steps.push(compiled.step);
    owned.push(...compiled.owned);
    for (const name of compiled.absorbed) absorbed.add(name);
  }
  const [inputName] = inputLayers[0] ?? [];
  const [featureName, probabilityName] = outputLayers.map(([name]) => name);
  if (inputName === undefined || featureName === undefined || probabilityName === undefined) {
    tf.dispose(owned);
    return undefined;
  }
  return {
    run: (input) => {
      const values = new Map<string, tf.Tensor>([[inputName, input]]);
      for (const step of steps) step(values);
      return [values.get(featureName) as tf.Tensor, values.get(probabilityName) as tf.Tensor];
    },
    owned,
  };
}

interface Graph {
  weights(layer: string): tf.Tensor[];
  onlyReader(layer: string): LayerConfig | undefined;
}

interface CompiledLayer {
  step: Step;
  /** Tensors made at compile time (folded weights), freed with the network. */
  owned: tf.Tensor[];
  /** Later layers this step computes too. */
  absorbed: string[];
}

const isPlainRelu = (layer: LayerConfig | undefined): layer is LayerConfig =>
  layer?.className === 'ReLU' && (layer.config.maxValue === null || layer.config.maxValue === undefined);

/** One layer as a step of tf ops, or undefined when not supported. */
function compileLayer(layer: LayerConfig, inputs: string[], graph: Graph): CompiledLayer | undefined {
  const { name, className, config } = layer;
  const [source] = inputs;
  if (source === undefined) return undefined;
  const one = (op: (x: tf.Tensor) => tf.Tensor, owned: tf.Tensor[] = []): CompiledLayer => ({
    step: (values) => values.set(name, op(values.get(source) as tf.Tensor)),
    owned,
    absorbed: [],
  });
  switch (className) {
    case 'Conv2D':
      return compileConv(layer, source, graph);
    case 'BatchNormalization': {
      const norm = batchNormAffine(layer, graph);
      return norm && one((x) => tf.add(tf.mul(x, norm.scale), norm.shift), [norm.scale, norm.shift]);
    }
    case 'ReLU':
      return isPlainRelu(layer) ? one((x) => tf.relu(x)) : undefined;
    case 'MaxPooling2D':
    case 'AveragePooling2D': {
      const pool = className === 'MaxPooling2D' ? tf.maxPool : tf.avgPool;
      const size = config.poolSize as [number, number];
      const strides = (config.strides ?? size) as [number, number];
      const padding = config.padding as 'valid' | 'same';
      return one((x) => pool(x as tf.Tensor4D, size, strides, padding));
    }
    case 'Flatten':
      return one((x) => tf.reshape(x, [x.shape[0], -1]));
    case 'Dropout':
      return one((x) => x);
    case 'Dense': {
      const activation = config.activation as string;
      if (!['linear', 'relu', 'softmax'].includes(activation)) return undefined;
      const [kernel, bias] = graph.weights(name) as [tf.Tensor2D, tf.Tensor1D | undefined];
      return one((x) => {
        const linear = tf.fused.matMul({ a: x, b: kernel, bias, activation: activation === 'relu' ? 'relu' : 'linear' });
        return activation === 'softmax' ? tf.softmax(linear) : linear;
      });
    }
    case 'Concatenate':
      if (config.axis !== -1) return undefined;
      return {
        step: (values) =>
          values.set(
            name,
            tf.concat(
              inputs.map((input) => values.get(input) as tf.Tensor),
              -1,
            ),
          ),
        owned: [],
        absorbed: [],
      };
    default:
      return undefined;
  }
}

/** A batch normalization at inference as x * scale + shift, per channel (last axis only). */
function batchNormAffine(layer: LayerConfig, graph: Graph): { scale: tf.Tensor1D; shift: tf.Tensor1D } | undefined {
  const { config } = layer;
  if (config.axis !== -1 && config.axis !== 3) return undefined;
  const weights = [...graph.weights(layer.name)];
  const gamma = config.scale === false ? undefined : weights.shift();
  const beta = config.center === false ? undefined : weights.shift();
  const [mean, variance] = weights as [tf.Tensor1D, tf.Tensor1D];
  return tf.tidy(() => {
    const scale = tf.div<tf.Tensor1D>(gamma ?? tf.onesLike(mean), tf.sqrt(tf.add(variance, config.epsilon as number)));
    const shift = tf.sub<tf.Tensor1D>(beta ?? tf.zerosLike(mean), tf.mul(mean, scale));
    return { scale, shift };
  });
}

/** A Conv2D, with the BatchNormalization that alone reads it folded in, and the ReLU that alone reads that fused. */
function compileConv(layer: LayerConfig, source: string, graph: Graph): CompiledLayer | undefined {
  const { config } = layer;
  if (config.activation !== 'linear' && config.activation !== 'relu') return undefined;
  const dilation = config.dilationRate as number[] | number;
  if ((Array.isArray(dilation) ? dilation : [dilation]).some((d) => d !== 1)) return undefined;
  const [kernel, bias] = graph.weights(layer.name) as [tf.Tensor4D, tf.Tensor1D | undefined];
  const strides = config.strides as [number, number];
  const pad = config.padding as 'valid' | 'same';
  const conv =
    (output: string, filter: tf.Tensor4D, shift: tf.Tensor1D | undefined, relu: boolean): Step =>
    (values) =>
      values.set(
        output,
        tf.fused.conv2d({ x: values.get(source) as tf.Tensor4D, filter, strides, pad, bias: shift, activation: relu ? 'relu' : 'linear' }),
      );

  const norm = graph.onlyReader(layer.name);
  if (config.activation === 'relu' || norm?.className !== 'BatchNormalization') {
    return { step: conv(layer.name, kernel, bias, config.activation === 'relu'), owned: [], absorbed: [] };
  }
  const affine = batchNormAffine(norm, graph);
  if (affine === undefined) return undefined;
  const [filter, shift] = tf.tidy(() => [
    tf.mul<tf.Tensor4D>(kernel, affine.scale),
    tf.add<tf.Tensor1D>(tf.mul(bias ?? tf.zerosLike(affine.shift), affine.scale), affine.shift),
  ]);
  tf.dispose([affine.scale, affine.shift]);
  const relu = graph.onlyReader(norm.name);
  return isPlainRelu(relu)
    ? { step: conv(relu.name, filter, shift, true), owned: [filter, shift], absorbed: [norm.name, relu.name] }
    : { step: conv(norm.name, filter, shift, false), owned: [filter, shift], absorbed: [norm.name] };
}
