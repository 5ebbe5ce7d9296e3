import * as tf from '@tensorflow/tfjs';
import { loadArtifacts, type ArtifactReader, type LoadedArtifacts } from './artifacts.js';
import { EXPRESSIONS, type Expression } from './labels.js';
import type { Manifest } from './manifest.js';
import { normalizeGray } from './preprocess.js';

/** One face's result. Arrays are indexed like EXPRESSIONS. */
export interface ExpressionPrediction {
  expression: Expression;
  /** Calibrated probability of `expression`. */
  confidence: number;
  /** softmax(svmScores / temperature). */
  probabilities: Float32Array;
  /** Raw one-vs-rest SVM decision values. */
  svmScores: Float32Array;
}

/** Tensors of one forward pass; the caller owns and disposes them. */
export interface ForwardPass {
  /** Flattened activations of the manifest's feature layer [N, featureDims]. */
  features: tf.Tensor2D;
  /** The CNN's own softmax head [N, 7]: the baseline the SVM must beat. */
  cnnProbabilities: tf.Tensor2D;
  /** SVM decision values on the features [N, 7]. */
  svmScores: tf.Tensor2D;
}

/**
 * A view of the CNN with two outputs: the named layer's activations (the SVM's features)
 * and the CNN's own softmax head. Shares weights with `cnn`.
 */
export function featureNetwork(cnn: tf.LayersModel, featureLayer: string): tf.LayersModel {
  const features = cnn.getLayer(featureLayer).output as tf.SymbolicTensor;
  return tf.model({ inputs: cnn.inputs, outputs: [features, cnn.outputs[0] as tf.SymbolicTensor] });
}

/**
 * Runs a `featureNetwork` on normalized faces [N,H,W,1]: flattened features [N, dims] and the
 * CNN's probabilities [N, 7], each averaged over the face and its mirror image when `mirror`.
 * Training and the classifier both call this, so their features cannot differ.
 */
export function applyFeatureNetwork(network: tf.LayersModel, input: tf.Tensor4D, mirror: boolean): [tf.Tensor2D, tf.Tensor2D] {
  return tf.tidy(() => {
    const count = input.shape[0];
    const views = mirror ? tf.concat([input, tf.reverse(input, 2)]) : input;
    const [featureMap, probabilities] = network.apply(views, { training: false }) as [tf.Tensor, tf.Tensor];
    const features = featureMap.reshape([views.shape[0], -1]) as tf.Tensor2D;
    if (!mirror) return [features, probabilities as tf.Tensor2D];
    const average = (t: tf.Tensor) => tf.add(t.slice(0, count), t.slice(count, count)).mul(0.5) as tf.Tensor2D;
    return [average(features), average(probabilities)];
  });
}

/**
 * The shipped expression classifier: CNN features -> linear SVM -> temperature-calibrated
 * probabilities. The same class scores in `pnpm eval` (Node) and in the web app, so the
 * two cannot disagree.
 */
export class ExpressionClassifier {
  readonly manifest: Manifest;
  private readonly network: tf.LayersModel;
  /** SVM with the feature standardization folded in: scores = features . weights + bias. */
  private readonly svmWeights: tf.Tensor2D;
  private readonly svmBias: tf.Tensor1D;
  /** See the manifest's `cnn.mirrorAverage`. */
  private readonly mirror: boolean;

  private constructor({ manifest, cnn, svm }: LoadedArtifacts) {
    this.manifest = manifest;
    this.mirror = manifest.cnn.mirrorAverage ?? false;
    this.network = featureNetwork(cnn, manifest.cnn.featureLayer);
    const dims = manifest.cnn.featureDims;
    const classes = svm.weights.length;
    const folded = new Float32Array(dims * classes);
    const bias = new Float32Array(classes);
    svm.weights.forEach((row, k) => {
      let shift = 0;
      row.forEach((w, d) => {
        const scaled = w / (svm.featureStd[d] as number);
        folded[d * classes + k] = scaled;
        shift += scaled * (svm.featureMean[d] as number);
      });
      bias[k] = (svm.bias[k] as number) - shift;
    });
    this.svmWeights = tf.tensor2d(folded, [dims, classes]);
    this.svmBias = tf.tensor1d(bias);
  }

  /** Loads and verifies artifacts (see `loadArtifacts`) and builds the classifier. */
  static async create(read: ArtifactReader): Promise<ExpressionClassifier> {
    return new ExpressionClassifier(await loadArtifacts(read));
  }

  /** Builds the classifier from already loaded artifacts; it takes ownership of the CNN. */
  static fromArtifacts(artifacts: LoadedArtifacts): ExpressionClassifier {
    return new ExpressionClassifier(artifacts);
  }

  /** Runs the CNN once on normalized inputs [N,H,W,1] and applies both heads. */
  forward(input: tf.Tensor4D): ForwardPass {
    return tf.tidy(() => {
      const [features, cnnProbabilities] = applyFeatureNetwork(this.network, input, this.mirror);
      const svmScores = features.matMul(this.svmWeights).add(this.svmBias) as tf.Tensor2D;
      return { features, cnnProbabilities, svmScores };
    });
  }

  /** SVM decision values only; differentiable, which saliency relies on. */
  svmScores(input: tf.Tensor4D): tf.Tensor2D {
    return tf.tidy(() => {
      const [features] = applyFeatureNetwork(this.network, input, this.mirror);
      return features.matMul(this.svmWeights).add(this.svmBias) as tf.Tensor2D;
    });
  }

  /** Calibrated probabilities from SVM scores. */
  calibrate(svmScores: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => tf.softmax(svmScores.div(this.manifest.calibration.temperature)) as tf.Tensor2D);
  }

  /** Classifies grey face crops [N,H,W,1] with levels 0..255 (see `cropFaces`). */
  async classify(grayFaces: tf.Tensor4D): Promise<ExpressionPrediction[]> {
    const [scores, probabilities] = tf.tidy(() => {
      const s = this.svmScores(normalizeGray(grayFaces, this.manifest.input) as tf.Tensor4D);
      return [s, this.calibrate(s)];
    });
    const [scoreData, probabilityData] = await Promise.all([scores.data<'float32'>(), probabilities.data<'float32'>()]);
    scores.dispose();
    probabilities.dispose();
    const k = EXPRESSIONS.length;
    return Array.from({ length: grayFaces.shape[0] }, (_, i) => {
      const p = probabilityData.slice(i * k, (i + 1) * k);
      const best = p.indexOf(Math.max(...p));
      return {
        expression: EXPRESSIONS[best] as Expression,
        confidence: p[best] as number,
        probabilities: p,
        svmScores: scoreData.slice(i * k, (i + 1) * k),
      };
    });
  }

  /** Frees the model's tensors. */
  dispose(): void {
    this.network.dispose();
    this.svmWeights.dispose();
    this.svmBias.dispose();
  }
}
