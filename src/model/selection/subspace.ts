// The dominant subspace of a symmetric positive semi-definite operator (the Gram matrix XᵀX of the
// interactions), by randomized subspace iteration (Halko, Martinsson & Tropp 2011): a catalog's
// [products × products] matrix is never formed, only its products with [products × m] blocks.
import type { DenseOps } from './dense-ops.js';
import { cholesky, invertLower, transpose } from './cholesky.js';
import { makeRng } from '../rng.js';

export interface Subspace {
  n: number;
  /** Its dimension (at most the one asked for; less where the operator's rank is). */
  m: number;
  /** An orthonormal basis Q, [n × m] row-major. */
  basis: Float64Array;
  /** The operator on it, QᵀAQ: [m × m]. */
  projected: Float64Array;
}

export interface SubspaceOptions {
  /** Multiplications by the operator between orthonormalisations. */
  powerIterations: number;
  seed: number;
}

/** An orthonormal basis of Y's columns [n × m] (CholeskyQR2; columns the others span are left out). */
async function orthonormalize(ops: DenseOps, y: Float64Array, n: number, m: number): Promise<{ q: Float64Array; m: number }> {
  let q = y;
  let width = m;
  for (let pass = 0; pass < 2; pass++) {
    const { lower, dropped } = cholesky(await ops.transposeTimes(q, q, n, width, width), width);
    const kept = Array.from({ length: width }, (_, j) => j).filter((j) => !dropped[j]);
    // Q = Y·L⁻ᵀ on the kept columns only.
    const inverse = transpose(invertLower(lower, width), width, width);
    const right = new Float64Array(width * kept.length);
    for (let i = 0; i < width; i++) kept.forEach((j, c) => (right[i * kept.length + c] = inverse[i * width + j]));
    q = await ops.times(q, right, n, width, kept.length);
    width = kept.length;
  }
  return { q, m: width };
}

/** A basis of the dominant subspace of `dimension` (at most) of the n × n operator `apply` (Y [n × m] ↦ AY). */
export async function dominantSubspace(
  apply: (y: Float64Array, m: number) => Float64Array,
  n: number,
  dimension: number,
  ops: DenseOps,
  opts: SubspaceOptions,
): Promise<Subspace> {
  const m = Math.min(n, dimension);
  const rng = makeRng(opts.seed);
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  let basis = await orthonormalize(ops, apply(Float64Array.from({ length: n * m }, gaussian), m), n, m);
  for (let it = 0; it < opts.powerIterations; it++) basis = await orthonormalize(ops, apply(basis.q, basis.m), n, basis.m);
  const projected = await ops.transposeTimes(basis.q, apply(basis.q, basis.m), n, basis.m, basis.m);
  const w = basis.m;
  for (let i = 0; i < w; i++) for (let j = 0; j < i; j++) projected[i * w + j] = projected[j * w + i] = (projected[i * w + j] + projected[j * w + i]) / 2;
  return { n, m: w, basis: basis.q, projected };
}
