/**
 * Saliency values (0..1, row-major) to RGBA pixels: transparent where nothing mattered, turning
 * through yellow to opaque red where the decision was made, so the face stays visible underneath.
 */
export function heatmapRgba(values: ArrayLike<number>, maxAlpha = 0.6): Uint8ClampedArray<ArrayBuffer> {
  const rgba = new Uint8ClampedArray(values.length * 4);
  for (let i = 0; i < values.length; i++) {
    const v = Math.min(1, Math.max(0, values[i] ?? 0));
    rgba[4 * i] = 255;
    rgba[4 * i + 1] = Math.round(255 * (1 - v) ** 0.7);
    rgba[4 * i + 2] = 0;
    // Squared, so the weak half of the map barely tints the face.
    rgba[4 * i + 3] = Math.round(255 * maxAlpha * v * v);
  }
  return rgba;
}
