/** Small seeded PRNG (mulberry32) so that initialisation, shuffling and splits are reproducible. */
export type Rng = () => number;

/**
 * mulberry32: a tiny seeded PRNG. Math.random cannot be seeded, and training
 * runs, demo data and tests must be reproducible from a seed.
 */
export function mulberry32(seed: number): Rng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The model's generator: mulberry32 on a scrambled seed, so that seed 0 is as good as any. */
export function makeRng(seed: number): Rng {
  return mulberry32((seed >>> 0) ^ 0x9e3779b9);
}

/**
 * A dropout mask: each of `n` entries is `scale` with probability `keep` (to 1/65,536), else 0, drawn
 * from `seed`. Two entries a draw of xorshift32, 16 bits each: with a mulberry32 draw per entry, drawing
 * the masks was the largest part of a training step on onnxruntime.
 */
export function bernoulliMask(n: number, keep: number, scale: number, seed: number): Float32Array {
  const mask = new Float32Array(n);
  if (keep >= 1) return mask.fill(scale);
  const threshold = Math.round(keep * 65536);
  // The seed scrambled by one mulberry32 step, so that nearby seeds start far apart (xorshift needs state ≠ 0).
  let x = Math.floor(makeRng(seed)() * 4294967296) | 0 || 0x2545f491;
  let k = 0;
  for (; k + 1 < n; k += 2) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    mask[k] = (x & 0xffff) < threshold ? scale : 0;
    mask[k + 1] = x >>> 16 < threshold ? scale : 0;
  }
  if (k < n) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    mask[k] = (x & 0xffff) < threshold ? scale : 0;
  }
  return mask;
}

/** In-place Fisher–Yates shuffle. */
export function shuffleInPlace(a: Int32Array, rng: Rng): Int32Array {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
  return a;
}

export function permutation(n: number, rng: Rng): Int32Array {
  const a = new Int32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  return shuffleInPlace(a, rng);
}

/** Glorot/Xavier uniform initialiser for a [fanIn, fanOut] kernel. */
export function glorotUniform(fanIn: number, fanOut: number, rng: Rng): Float32Array {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  const out = new Float32Array(fanIn * fanOut);
  for (let i = 0; i < out.length; i++) out[i] = (rng() * 2 - 1) * limit;
  return out;
}

/** Uniform(-limit, limit), Keras' default embedding initialiser uses limit 0.05. */
export function uniform(n: number, limit: number, rng: Rng): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (rng() * 2 - 1) * limit;
  return out;
}
