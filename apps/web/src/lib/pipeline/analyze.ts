import * as tf from '@tensorflow/tfjs';
import { cropFaces, cropWindow, grayFromRgba, saliencyMap, type ExpressionClassifier, type FaceBox } from '@fer/core';

/** One face's saliency: values 0..1, row-major, over the face's crop region. */
export interface Saliency {
  width: number;
  height: number;
  values: Float32Array;
  /** The crop margin the map was made with (the manifest's `input.cropMargin`): where to draw it, see `cropRegion`. */
  margin: number;
  /**
   * The grey crop (levels 0..255, width x height, row-major) the model classified and the map
   * explains: what the model sees, shown enlarged under the map in the "what the model sees" panel.
   */
  crop: Float32Array;
}

/** The 2D context of an offscreen canvas whose pixels are read back every frame (Chromium then keeps them in CPU memory). */
export function readableContext(canvas: OffscreenCanvas): OffscreenCanvasRenderingContext2D {
  const context = canvas.getContext('2d', { willReadFrequently: true });
  if (context === null) throw new Error('this browser gives no 2D canvas context');
  return context;
}

/**
 * Grey face crops [N,H,W,1] of `boxes` in the frame `canvas` holds, as the classifier expects
 * them. Reads back only each face's `cropWindow`: turning a whole 640x480 frame into a tensor
 * takes longer than classifying the faces in it. The caller disposes.
 */
export function cropFromCanvas(classifier: ExpressionClassifier, canvas: OffscreenCanvas, boxes: readonly FaceBox[]): tf.Tensor4D {
  if (boxes.length === 0) throw new Error('cropFromCanvas needs at least one box');
  const context = readableContext(canvas);
  const { width: frameWidth, height: frameHeight } = canvas;
  return tf.tidy(() => {
    const crops = boxes.map((box) => {
      const window = cropWindow(box, frameWidth, frameHeight, classifier.manifest.input.cropMargin);
      const image = context.getImageData(window.x, window.y, window.width, window.height);
      const pixels = grayFromRgba(image.data, image.width, image.height);
      return cropFaces({ pixels, window, frameWidth, frameHeight }, [box], classifier.manifest.input);
    });
    return crops.length === 1 ? (crops[0] as tf.Tensor4D) : tf.concat(crops);
  });
}

/** Saliency of each crop for the class given for it (the label shown for that face). */
export async function saliencyOf(classifier: ExpressionClassifier, crops: tf.Tensor4D, classIndices: readonly number[]): Promise<Saliency[]> {
  const [, height, width] = crops.shape;
  const maps = classIndices.map((classIndex, i) =>
    tf.tidy(() => saliencyMap(classifier, crops.slice([i, 0, 0, 0], [1, -1, -1, -1]), { classIndex })),
  );
  try {
    const [values, pixels] = await Promise.all([Promise.all(maps.map((map) => map.data<'float32'>())), crops.data<'float32'>()]);
    const area = width * height;
    return values.map((v, i) => ({
      width,
      height,
      values: v,
      margin: classifier.manifest.input.cropMargin,
      crop: pixels.slice(i * area, (i + 1) * area),
    }));
  } finally {
    for (const map of maps) map.dispose();
  }
}
