// The selection model: how likely a shopper is to pick a product, from what they picked before. A
// denoising linear autoencoder of the interactions (DLAE, Steck 2020): the item-to-item weights B minimise
// ‖X − XB‖² + ‖Λ^½B‖² with Λ = p/(1−p)·diag(XᵀX) + λ, the penalty that dropping each input with
// probability p implies, so B = (XᵀX + Λ)⁻¹XᵀX. Such item models rank top-N lists about twice as well as
// the most popular products on MovieLens, where a network fitted to the ratings' values does worse than
// popularity.
//
// Catalog-sized matrices are never formed: XᵀX is taken on its dominant subspace, QTQᵀ (subspace.ts),
// and by Woodbury B = Λ⁻¹QM⁻¹Qᵀ with M = T⁻¹ + QᵀΛ⁻¹Q. Writing T = LLᵀ and I + LᵀQᵀΛ⁻¹QL = PPᵀ,
// M⁻¹ = FFᵀ with F = LP⁻ᵀ; so with D = QF, B = Λ⁻¹DDᵀ: a user's scores are (Σ x_uj·D_j/Λ_j)·D_iᵀ, a
// vector per user and per product, as in a two-tower model.
import type { DenseOps } from './dense-ops.js';
import { cholesky, invertLower, transpose } from './cholesky.js';
import { dominantSubspace, type Subspace } from './subspace.js';
import { squaredColumnSums, type InteractionMatrix } from './interaction-matrix.js';
import { gramOperator } from './sparse-products.js';

export interface Regularization {
  /** The input dropout p whose penalty the model takes (0 ≤ p < 1). */
  dropout: number;
  /** λ, on the scale of XᵀX (src/training/selection.ts tries multiples of diag(XᵀX)'s mean). */
  lambda: number;
}

/** The mean of diag(XᵀX): the scale of λ. */
export function meanDiagonal(g: { diagonal: Float64Array }): number {
  let mean = 0;
  for (const d of g.diagonal) mean += d / Math.max(1, g.diagonal.length);
  return mean;
}

/** The costly part of a fit, shared by every regularisation: the dominant subspace of XᵀX and its diagonal. */
export interface GramSubspace extends Subspace {
  diagonal: Float64Array;
}

/** One power iteration: within noise of the exact model on MovieLens (docs/benchmarks.md). */
const POWER_ITERATIONS = 1;

export async function gramSubspace(x: InteractionMatrix, rank: number, ops: DenseOps, seed: number): Promise<GramSubspace> {
  const apply = await gramOperator(x, Math.min(rank, x.numItems));
  const subspace = await dominantSubspace(apply, x.numItems, rank, ops, { powerIterations: POWER_ITERATIONS, seed });
  return { ...subspace, diagonal: squaredColumnSums(x) };
}

/** The model for one regularisation of the interactions' subspace. */
export async function selectionModel(g: GramSubspace, reg: Regularization, ops: DenseOps): Promise<SelectionModel> {
  const { n, m, basis: q, projected, diagonal } = g;
  const lambda = Math.max(reg.lambda, 1e-12);
  const inverseL = Float64Array.from(diagonal, (d) => 1 / ((reg.dropout / (1 - reg.dropout)) * d + lambda));
  if (m === 0) return new SelectionModel(n, [{ width: 0, inputScale: Float32Array.from(inverseL) }], new Float32Array(0));
  const scaled = new Float64Array(n * m);
  for (let i = 0; i < n; i++) for (let c = 0; c < m; c++) scaled[i * m + c] = q[i * m + c] * inverseL[i];
  const c = await ops.transposeTimes(q, scaled, n, m, m);
  const { lower: l } = cholesky(projected, m);
  const inner = await ops.transposeTimes(l, await ops.times(c, l, m, m, m), m, m, m);
  for (let j = 0; j < m; j++) inner[j * m + j] += 1;
  const { lower: p } = cholesky(inner, m);
  const f = await ops.times(l, transpose(invertLower(p, m), m, m), m, m, m);
  const decoder = await ops.times(q, f, n, m, m);
  return new SelectionModel(n, [{ width: m, inputScale: Float32Array.from(inverseL) }], Float32Array.from(decoder));
}

/** A block of columns of the products' vectors, with how much picking each product moves a user's vector along it. */
export interface SelectionPart {
  width: number;
  /** Per product: 1/Λ_i for the autoencoder, the low-pass filter's own scale (low-pass.ts) for its block. */
  inputScale: Float32Array;
}

/**
 * Products' vectors D [numItems × rank] and, per block of columns, an input scale: a user's vector is
 * Σ x_uj·scale_j·D_j (blockwise) and their pick score of product i its dot product with D_i. Models whose scores
 * add (the autoencoder and the low-pass filter) join as blocks of one such model.
 */
export class SelectionModel {
  /** The vectors' width. */
  readonly rank: number;

  constructor(
    readonly numItems: number,
    readonly parts: readonly SelectionPart[],
    /** D, [numItems × rank]: each product's vector. */
    readonly vectors: Float32Array,
  ) {
    this.rank = parts.reduce((sum, p) => sum + p.width, 0);
  }

  /** One model whose pick score is Σ weight·(the model's pick score). */
  static joined(models: readonly { model: SelectionModel; weight: number }[]): SelectionModel {
    const numItems = models[0].model.numItems;
    const rank = models.reduce((sum, m) => sum + m.model.rank, 0);
    const vectors = new Float32Array(numItems * rank);
    let offset = 0;
    for (const { model } of models) {
      for (let i = 0; i < numItems; i++) vectors.set(model.vectors.subarray(i * model.rank, (i + 1) * model.rank), i * rank + offset);
      offset += model.rank;
    }
    const parts = models.flatMap(({ model, weight }) =>
      model.parts.map((p) => ({ width: p.width, inputScale: weight === 1 ? p.inputScale : Float32Array.from(p.inputScale, (s) => s * weight) })),
    );
    return new SelectionModel(numItems, parts, vectors);
  }

  /** One shopper's vector, Σ x_uj·scale_j·D_j, from their products (model indices) and weights. */
  userVector(items: ArrayLike<number>, weights: ArrayLike<number>, out = new Float32Array(this.rank)): Float32Array {
    const k = this.rank;
    out.fill(0);
    let from = 0;
    for (const part of this.parts) {
      const to = from + part.width;
      for (let e = 0; e < items.length; e++) {
        const i = items[e];
        const w = weights[e] * part.inputScale[i];
        const row = i * k;
        for (let j = from; j < to; j++) out[j] += w * this.vectors[row + j];
      }
      from = to;
    }
    return out;
  }

  /** The vectors of rows `users` of X: [users.length × rank]. */
  userVectors(x: InteractionMatrix, users: ArrayLike<number>): Float32Array {
    const k = this.rank;
    const out = new Float32Array(users.length * k);
    for (let r = 0; r < users.length; r++) {
      const u = users[r];
      this.userVector(x.items.subarray(x.start[u], x.start[u + 1]), x.weights.subarray(x.start[u], x.start[u + 1]), out.subarray(r * k, (r + 1) * k));
    }
    return out;
  }

  /** Pick scores of every product for a user vector. */
  scores(user: Float32Array, out = new Float32Array(this.numItems)): Float32Array {
    const k = this.rank;
    for (let i = 0; i < this.numItems; i++) {
      let s = 0;
      const row = i * k;
      for (let j = 0; j < k; j++) s += user[j] * this.vectors[row + j];
      out[i] = s;
    }
    return out;
  }
}
