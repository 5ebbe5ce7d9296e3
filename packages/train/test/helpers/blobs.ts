import seedrandom from 'seedrandom';

export interface Blobs {
  features: Float32Array;
  labels: Uint8Array;
  n: number;
}

/** Standard normal samples from a seeded PRNG (Box-Muller). */
export function gaussian(seed: string): () => number {
  const rng = seedrandom(seed);
  return () => {
    let u = 0;
    while (u === 0) u = rng();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
  };
}

/**
 * Isotropic Gaussian blobs, one per row of `centers` (each of length dims), `counts[k]` points in
 * blob k with standard deviation `spread`, shuffled.
 */
export function blobs(centers: number[][], counts: number[], spread: number, seed: string): Blobs {
  const g = gaussian(seed);
  const dims = centers[0]!.length;
  const n = counts.reduce((a, b) => a + b, 0);
  const order = Array.from({ length: n }, (_, i) => i);
  const rng = seedrandom(`${seed}-order`);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const features = new Float32Array(n * dims);
  const labels = new Uint8Array(n);
  let p = 0;
  counts.forEach((count, k) => {
    for (let c = 0; c < count; c++) {
      const row = order[p++]!;
      labels[row] = k;
      for (let j = 0; j < dims; j++) features[row * dims + j] = centers[k]![j]! + spread * g();
    }
  });
  return { features, labels, n };
}

/** `numClasses` random centers in `dims` dimensions, at distance ~`scale` from the origin. */
export function randomCenters(numClasses: number, dims: number, scale: number, seed: string): number[][] {
  const g = gaussian(seed);
  return Array.from({ length: numClasses }, () => Array.from({ length: dims }, () => (scale * g()) / Math.sqrt(dims)));
}

export function accuracy(predicted: Uint8Array, labels: Uint8Array): number {
  let correct = 0;
  for (let i = 0; i < labels.length; i++) if (predicted[i] === labels[i]) correct++;
  return correct / labels.length;
}
