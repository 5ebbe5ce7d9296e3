import * as tf from '@tensorflow/tfjs';
import { cropFaces, saliencyMap, type ExpressionClassifier, type FaceBox } from '@fer/core';

/** Context around the detector's box, as a fraction of its side (see `cropFaces`). */
export const FACE_MARGIN = 0.15;

/** Anything tf.browser.fromPixels reads. */
export type PixelSource = HTMLVideoElement | HTMLCanvasElement | HTMLImageElement | ImageBitmap | ImageData;

/** One face's saliency: values 0..1, row-major, over the face's crop region. */
export interface Saliency {
  width: number;
  height: number;
  values: Float32Array;
}

/** Grey face crops [N,H,W,1] of `boxes` in `source`, as the classifier expects them. The caller disposes. */
export function cropFromSource(classifier: ExpressionClassifier, source: PixelSource, boxes: readonly FaceBox[]): tf.Tensor4D {
  return tf.tidy(() => cropFaces(tf.browser.fromPixels(source), boxes, classifier.manifest.input, FACE_MARGIN));
}

/** Saliency of each crop for the class given for it (the label shown for that face). */
export async function saliencyOf(classifier: ExpressionClassifier, crops: tf.Tensor4D, classIndices: readonly number[]): Promise<Saliency[]> {
  const [, height, width] = crops.shape;
  const maps = classIndices.map((classIndex, i) =>
    tf.tidy(() => saliencyMap(classifier, crops.slice([i, 0, 0, 0], [1, -1, -1, -1]), { classIndex })),
  );
  try {
    const values = await Promise.all(maps.map((map) => map.data<'float32'>()));
    return values.map((v) => ({ width, height, values: v }));
  } finally {
    for (const map of maps) map.dispose();
  }
}
