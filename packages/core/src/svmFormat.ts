/**
 * The SVM head's file, svm.bin: little-endian float32 values, in this order: featureMean[dims],
 * featureStd[dims], weights[classes][dims] (row by row), bias[classes]. Its shape comes from the
 * manifest (cnn.featureDims, labels), so the file holds nothing but numbers: a fifth of the
 * decimal JSON it replaces, and no parsing.
 */
import type { SvmParams } from './manifest.js';

const BYTES_PER_VALUE = 4;

/** Bytes of svm.bin for `dims` features and `classes` classes. */
export function svmFileBytes(dims: number, classes: number): number {
  return BYTES_PER_VALUE * (2 * dims + classes * dims + classes);
}

/** Encodes an SVM as svm.bin. */
export function encodeSvm(svm: SvmParams): Uint8Array {
  const dims = svm.featureMean.length;
  const values = [...svm.featureMean, ...svm.featureStd, ...svm.weights.flat(), ...svm.bias];
  if (values.length * BYTES_PER_VALUE !== svmFileBytes(dims, svm.bias.length))
    throw new Error('encodeSvm: weight rows do not match the feature count');
  const bytes = new Uint8Array(values.length * BYTES_PER_VALUE);
  const view = new DataView(bytes.buffer);
  values.forEach((value, i) => view.setFloat32(i * BYTES_PER_VALUE, value, true));
  return bytes;
}

/**
 * Decodes svm.bin for `dims` features and `classes` classes. Throws an Error saying what is wrong when
 * the size does not match or a value is not finite (or a standard deviation not positive).
 */
export function decodeSvm(bytes: Uint8Array, dims: number, classes: number): SvmParams {
  const expected = svmFileBytes(dims, classes);
  if (bytes.byteLength !== expected)
    throw new Error(`expected ${expected} bytes for ${classes} classes x ${dims} features, found ${bytes.byteLength}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let next = 0;
  const take = (count: number, what: string, positive = false): number[] =>
    Array.from({ length: count }, () => {
      const value = view.getFloat32(next * BYTES_PER_VALUE, true);
      if (!Number.isFinite(value) || (positive && value <= 0)) throw new Error(`${what} holds ${value} at value ${next}`);
      next++;
      return value;
    });
  const featureMean = take(dims, 'featureMean');
  const featureStd = take(dims, 'featureStd', true);
  const weights = Array.from({ length: classes }, () => take(dims, 'weights'));
  const bias = take(classes, 'bias');
  return { featureMean, featureStd, weights, bias };
}
