// The low-pass filter of the interactions (the "ideal low-pass" of GF-CF, Shen et al. 2021): X normalised by
// its users' and products' totals, R̃ = D_u^-½·X·D_i^-½, and a user's pick score of product i the projection
// of their row on R̃'s top right singular vectors V: Σ_j x_uj·(V_j/√d_j)·(√d_i·V_i). It sees the few broad
// tastes of the catalog where the autoencoder sees each product's neighbours; added to the autoencoder's
// scores, their lists rank better than either alone (docs/benchmarks.md).
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import type { DenseOps } from './dense-ops.js';
import type { InteractionMatrix } from './interaction-matrix.js';
import { SelectionModel } from './linear-autoencoder.js';
import { gramOperator } from './sparse-products.js';
import { dominantSubspace } from './subspace.js';

/** Extra dimensions of the randomized subspace beyond those kept, and its power iterations: the top singular vectors to a few digits. */
const OVERSAMPLING = 2;
const POWER_ITERATIONS = 2;

/** X with each weight divided by √(its user's total · its product's total), and the products' totals. */
function normalizedInteractions(x: InteractionMatrix): { x: InteractionMatrix; itemTotals: Float64Array } {
  const itemTotals = new Float64Array(x.numItems);
  for (let k = 0; k < x.items.length; k++) itemTotals[x.items[k]] += x.weights[k];
  const weights = new Float32Array(x.weights.length);
  for (let u = 0; u < x.numUsers; u++) {
    let total = 0;
    for (let k = x.start[u]; k < x.start[u + 1]; k++) total += x.weights[k];
    for (let k = x.start[u]; k < x.start[u + 1]; k++) weights[k] = x.weights[k] / Math.sqrt(total * itemTotals[x.items[k]]);
  }
  return { x: { ...x, weights }, itemTotals };
}

/** The filter of rank `rank` (at most the catalog's) as a selection model of one block: input scale 1/d_j, vectors √d_i·V_i. */
export async function lowPassModel(x: InteractionMatrix, rank: number, ops: DenseOps, seed: number): Promise<SelectionModel> {
  const n = x.numItems;
  const { x: normalized, itemTotals } = normalizedInteractions(x);
  const wanted = Math.min(rank, n);
  const width = Math.min(n, OVERSAMPLING * wanted);
  const subspace = await dominantSubspace(await gramOperator(normalized, width), n, width, ops, { powerIterations: POWER_ITERATIONS, seed });
  const m = subspace.m;
  const kept = Math.min(wanted, m);
  const k = kept - (kept % 4); // a multiple of 4, as the SIMD kernels take
  // The subspace's own eigenvectors (ascending), the top k of them turned back into products' space.
  const eigen = new EigenvalueDecomposition(Matrix.from1DArray(m, m, subspace.projected), { assumeSymmetric: true });
  const top = new Float64Array(m * k);
  const ev = eigen.eigenvectorMatrix;
  for (let i = 0; i < m; i++) for (let c = 0; c < k; c++) top[i * k + c] = ev.get(i, m - 1 - c);
  const v = k > 0 ? await ops.times(subspace.basis, top, n, m, k) : new Float64Array(0);
  const vectors = new Float32Array(n * k);
  const inputScale = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const d = itemTotals[i];
    if (!(d > 0)) continue;
    inputScale[i] = 1 / d;
    const root = Math.sqrt(d);
    for (let c = 0; c < k; c++) vectors[i * k + c] = root * v[i * k + c];
  }
  return new SelectionModel(n, [{ width: k, inputScale }], vectors);
}
