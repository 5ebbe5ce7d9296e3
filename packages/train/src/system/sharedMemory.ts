/** A zeroed Float32Array in a SharedArrayBuffer: worker threads read it without a copy. */
export function sharedFloat32Array(length: number): Float32Array {
  return new Float32Array(new SharedArrayBuffer(length * Float32Array.BYTES_PER_ELEMENT));
}

/** `values` copied into shared memory (see `sharedFloat32Array`). */
export function sharedCopy(values: Float32Array): Float32Array {
  const copy = sharedFloat32Array(values.length);
  copy.set(values);
  return copy;
}
