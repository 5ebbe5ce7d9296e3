import * as tf from '@tensorflow/tfjs';
import { argMax } from './argMax.js';
import { loadArtifacts, type ArtifactReader, type LoadedArtifacts } from './artifacts.js';
import { EXPRESSIONS, type Expression } from './labels.js';
import type { InputSpec, Manifest, TestTimeView } from './manifest.js';
import { featureNetwork, type FeatureNetwork } from './featureNetwork.js';
import { normalizeGray } from './preprocess.js';
import { addUnwarpedGradient, viewTransform, warpImages, warpTable, type WarpTable } from './views.js';

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

/** Disposes every tensor of a forward pass. */
export function disposeForwardPass(pass: ForwardPass): void {
  tf.dispose([pass.features, pass.cnnProbabilities, pass.svmScores]);
}

/** How the classifier looks at each face: the crop, warped copies of it, and each one's mirror image. */
export interface FaceViews {
  /** Warped copies scored besides the crop itself (see the manifest's `cnn.testTimeViews`). */
  warps: readonly WarpTable[];
  /** Also score each view's left-right mirror image (the manifest's `cnn.mirrorAverage`). */
  mirror: boolean;
}

/** The views of square `input`s: the face, each of `views` warped from it, and each one's mirror image when `mirror`. */
export function faceViews(input: InputSpec, mirror: boolean, views: readonly TestTimeView[]): FaceViews {
  if (input.height !== input.width) throw new Error(`test-time views need square inputs, got ${input.height}x${input.width}`);
  return { warps: views.map((view) => warpTable(input.height, viewTransform(view))), mirror };
}

/** The views a manifest asks for (`cnn.mirrorAverage`, `cnn.testTimeViews`). */
export function manifestViews(manifest: Manifest): FaceViews {
  return faceViews(manifest.input, manifest.cnn.mirrorAverage ?? false, manifest.cnn.testTimeViews ?? []);
}

/** CNN passes per face under `views`. */
export function passesPerFace(views: FaceViews): number {
  return (1 + views.warps.length) * (views.mirror ? 2 : 1);
}

/** The crops [N,H,W,1] followed by each warp of them: [(1 + warps) * N, H, W, 1]. */
function stackWarps(input: tf.Tensor4D, warps: readonly WarpTable[]): tf.Tensor4D {
  return warps.length === 0 ? input : tf.concat([input, ...warps.map((table) => warpImages(input, table))]);
}

/**
 * Runs a `featureNetwork` on a stack of `groups` views of N faces ([groups * N, H, W, 1], view-major,
 * as `stackWarps` makes it): flattened features [N, dims] and the CNN's probabilities [N, 7], each
 * the mean over the views and, when `mirror`, their mirror images. Differentiable in `stack`.
 */
function applyToViewStack(network: FeatureNetwork, stack: tf.Tensor4D, groups: number, mirror: boolean): [tf.Tensor2D, tf.Tensor2D] {
  return tf.tidy(() => {
    const all = mirror ? tf.concat([stack, tf.reverse(stack, 2)]) : stack;
    const passes = mirror ? 2 * groups : groups;
    const count = stack.shape[0] / groups;
    const [featureMap, probabilities] = network.apply(all);
    const meanOverViews = (t: tf.Tensor): tf.Tensor2D => (passes === 1 ? t.reshape([count, -1]) : t.reshape([passes, count, -1]).mean(0));
    return [meanOverViews(featureMap), meanOverViews(probabilities)];
  });
}

/**
 * Runs a `featureNetwork` on normalized faces [N,H,W,1]: flattened features [N, dims] and the
 * CNN's probabilities [N, 7], each averaged over the face's `views`. Training and the classifier
 * both call this, so their features cannot differ.
 */
export function applyFeatureNetwork(network: FeatureNetwork, input: tf.Tensor4D, views: FaceViews): [tf.Tensor2D, tf.Tensor2D] {
  return tf.tidy(() => applyToViewStack(network, stackWarps(input, views.warps), 1 + views.warps.length, views.mirror));
}

/**
 * Runs `differentiate` with the active backend's Conv2DBackpropFilter returning zeros. tfjs's fused
 * conv (which every Conv2D layer runs) computes its filter's gradient eagerly, even when only the
 * input's gradient is asked for, and that would be a third of a saliency map's cost, thrown away.
 * Safe because `tf.grad` runs synchronously: nothing else can use the kernel meanwhile.
 */
function withoutFilterGradients<T>(differentiate: () => T): T {
  const backendName = tf.getBackend();
  const kernel = tf.getKernel(tf.Conv2DBackpropFilter, backendName);
  if (kernel === undefined) return differentiate();
  tf.unregisterKernel(tf.Conv2DBackpropFilter, backendName);
  tf.registerKernel({
    kernelName: tf.Conv2DBackpropFilter,
    backendName,
    kernelFunc: ({ attrs }) => tf.zeros((attrs as unknown as tf.Conv2DBackpropFilterAttrs).filterShape),
  });
  try {
    return differentiate();
  } finally {
    tf.unregisterKernel(tf.Conv2DBackpropFilter, backendName);
    tf.registerKernel(kernel);
  }
}

/**
 * The shipped expression classifier: CNN features -> linear SVM -> temperature-calibrated
 * probabilities. The same class scores in `pnpm eval` (Node) and in the web app, so the
 * two cannot disagree.
 */
export class ExpressionClassifier {
  readonly manifest: Manifest;
  private readonly cnn: tf.LayersModel;
  private readonly network: FeatureNetwork;
  /** SVM with the feature standardization folded in: scores = features . weights + bias. */
  private readonly svmWeights: tf.Tensor2D;
  private readonly svmBias: tf.Tensor1D;
  /** See the manifest's `cnn.mirrorAverage` and `cnn.testTimeViews`. */
  readonly views: FaceViews;

  private constructor({ manifest, cnn, svm }: LoadedArtifacts) {
    this.manifest = manifest;
    this.views = manifestViews(manifest);
    this.cnn = cnn;
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

  /** Runs the CNN on each view of normalized inputs [N,H,W,1] and applies both heads. */
  forward(input: tf.Tensor4D): ForwardPass {
    return tf.tidy(() => {
      const [features, cnnProbabilities] = applyFeatureNetwork(this.network, input, this.views);
      return { features, cnnProbabilities, svmScores: this.svm(features) };
    });
  }

  /** SVM decision values only. For gradients use `inputGradient`: the views' gather has no gradient on the wasm backend. */
  svmScores(input: tf.Tensor4D): tf.Tensor2D {
    return tf.tidy(() => this.svm(applyFeatureNetwork(this.network, input, this.views)[0]));
  }

  /**
   * d svmScores[0, classIndex] / d input for one normalized face [1,H,W,1], through every view.
   * The warps' gather has no gradient on every backend, so the gradient is taken with respect to
   * the stack of views and carried back through each warp's transpose here.
   */
  inputGradient(input: tf.Tensor4D, classIndex: number): tf.Tensor4D {
    if (input.shape[0] !== 1) throw new Error(`inputGradient takes one face, got a batch of ${input.shape[0]}`);
    const { warps, mirror } = this.views;
    const stack = stackWarps(input, warps);
    const score = (views: tf.Tensor) =>
      this.svm(applyToViewStack(this.network, views as tf.Tensor4D, 1 + warps.length, mirror)[0])
        .slice([0, classIndex], [1, 1])
        .sum();
    const gradient = withoutFilterGradients(() => tf.grad(score)(stack));
    if (warps.length === 0) return gradient as tf.Tensor4D;
    const perView = gradient.dataSync<'float32'>();
    gradient.dispose();
    stack.dispose();
    const area = input.shape[1] * input.shape[2];
    const pixels = perView.slice(0, area);
    warps.forEach((table, v) => addUnwarpedGradient(perView.subarray((v + 1) * area, (v + 2) * area), table, pixels));
    return tf.tensor4d(pixels, input.shape);
  }

  private svm(features: tf.Tensor2D): tf.Tensor2D {
    return features.matMul(this.svmWeights).add<tf.Tensor2D>(this.svmBias);
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
      const best = argMax(p);
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
    this.cnn.dispose();
    this.svmWeights.dispose();
    this.svmBias.dispose();
  }
}
