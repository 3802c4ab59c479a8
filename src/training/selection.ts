// The selection model of a run (src/model/selection): its regularisation chosen on an inner hold-out of
// the training interactions, one model fitted on the training split for the blend search, and the one the
// run serves, fitted on every interaction.
import type { RatingData } from '../model/data.js';
import type { TrainingConfig } from '../model/config.js';
import { CatalogRankingTally, topK } from '../model/metrics.js';
import type { DenseOps } from '../model/selection/dense-ops.js';
import { interactionMatrix, interactionWeight, type InteractionMatrix } from '../model/selection/interaction-matrix.js';
import { gramSubspace, meanDiagonal, selectionModel, type Regularization, type SelectionModel } from '../model/selection/linear-autoencoder.js';
import { makeRng, permutation } from '../model/rng.js';
import { holdOut, interactionRows, type Interactions } from './implicit-feedback.js';
import { UserVectors } from '../model/selection/sparse-products.js';
import { lowPassModel } from '../model/selection/low-pass.js';
import { withColdProductVectors } from '../model/selection/cold-products.js';
import type { FeatureSide } from '../model/features.js';

/** The input dropout whose penalty the model takes: 0.1 to 0.4 ranked alike on MovieLens. */
const DROPOUT = 0.25;
/**
 * λ tried, as multiples of the mean of diag(XᵀX) on the inner split (MovieLens ranks best in the middle of them). The one
 * chosen is kept as it is (not rescaled) for the fits on more data, which want less regularisation each.
 */
const LAMBDAS = [5, 8, 12, 18, 27, 40];
/** The share of the training interactions held out to choose λ. */
const INNER_FRACTION = 0.2;
/** Users the choice is measured on, at most. */
const INNER_USERS = 2000;
/** Users a block of pick scores is computed for. */
const USERS_PER_BLOCK = 256;

export interface SelectionChoice extends Regularization {
  rank: number;
  /** The chosen λ as a multiple of the mean of diag(XᵀX) on the inner split. */
  lambdaFactor: number;
  /** NDCG@10 of each multiple tried on the inner hold-out. */
  tried: { lambdaFactor: number; ndcg: number }[];
  users: number;
}

/** The interactions as the model's input: each weighted by its (implied) rating. */
export function interactionsMatrix(data: RatingData, c: Pick<TrainingConfig, 'minRating' | 'maxRating'>): InteractionMatrix {
  const weights = Float32Array.from(data.ratings, (v) => interactionWeight(v, c.minRating, c.maxRating));
  return interactionMatrix(data.userIdx, data.itemIdx, weights, data.numUsers, data.numItems);
}

/** Rows of pick scores for `users` (model indices), `USERS_PER_BLOCK` at a time. */
export async function pickRows(
  model: SelectionModel,
  x: InteractionMatrix,
  users: ArrayLike<number>,
  ops: DenseOps,
  onRows: (first: number, scores: Float32Array) => void,
): Promise<void> {
  const vectorsOf = await UserVectors.create(model, x, USERS_PER_BLOCK);
  for (let s = 0; s < users.length; s += USERS_PER_BLOCK) {
    const block = Array.from({ length: Math.min(USERS_PER_BLOCK, users.length - s) }, (_, k) => users[s + k]);
    const vectors = vectorsOf.of(block);
    onRows(
      s,
      model.rank === 0 ? new Float32Array(block.length * model.numItems) : await ops.dots(vectors, model.vectors, block.length, model.rank, model.numItems),
    );
  }
}

/** λ by the NDCG@10 of each candidate on an inner hold-out of `train` (as the run's validation holds out). */
export async function chooseRegularization(
  train: Interactions,
  c: TrainingConfig,
  ops: DenseOps,
  evaluation: { k: number; threshold: number },
): Promise<SelectionChoice> {
  const rank = c.selectionRank;
  const rows = holdOut(train, INNER_FRACTION, c.seed + 17);
  const inner = interactionRows(train, rows.train).data;
  const held = interactionRows(train, rows.heldOut).data;
  const relevant = new Map<number, Set<number>>();
  for (let k = 0; k < held.ratings.length; k++) {
    if (held.ratings[k] < evaluation.threshold) continue;
    const u = held.userIdx[k];
    let set = relevant.get(u);
    if (!set) relevant.set(u, (set = new Set()));
    set.add(held.itemIdx[k]);
  }
  let users = [...relevant.keys()].sort((a, b) => a - b);
  if (users.length > INNER_USERS)
    users = Array.from(permutation(users.length, makeRng(c.seed ^ 0x1a)).subarray(0, INNER_USERS), (j) => users[j]).sort((a, b) => a - b);
  const x = interactionsMatrix(inner, c);
  const subspace = await gramSubspace(x, rank, ops, c.seed);
  const tried: { lambdaFactor: number; ndcg: number }[] = [];
  const excluded = new Uint8Array(x.numItems);
  const scale = meanDiagonal(subspace);
  for (const lambdaFactor of LAMBDAS) {
    const model = await selectionModel(subspace, { dropout: DROPOUT, lambda: lambdaFactor * scale }, ops);
    const tally = new CatalogRankingTally(evaluation.k, x.numItems);
    await pickRows(model, x, users, ops, (first, scores) => {
      for (let r = 0; first + r < users.length && r * x.numItems < scores.length; r++) {
        const u = users[first + r];
        const own = x.items.subarray(x.start[u], x.start[u + 1]);
        for (const i of own) excluded[i] = 1;
        tally.add(topK(scores.subarray(r * x.numItems, (r + 1) * x.numItems), evaluation.k, excluded), relevant.get(u)!);
        for (const i of own) excluded[i] = 0;
      }
    });
    tried.push({ lambdaFactor, ndcg: tally.result().ndcg });
  }
  const best = tried.reduce((a, b) => (b.ndcg > a.ndcg ? b : a), tried[0]);
  return { rank, dropout: DROPOUT, lambda: best.lambdaFactor * scale, lambdaFactor: best.lambdaFactor, tried, users: users.length };
}

/**
 * The autoencoder of `choice` fitted on `data`'s interactions and, when asked and lowPassRank is above 0, the low-pass
 * filter; with the products' feature tokens, products without interactions take their tokens' vectors.
 */
export async function fitSelection(
  data: RatingData,
  c: TrainingConfig,
  choice: Regularization & { rank: number },
  ops: DenseOps,
  seed: number,
  opts: { lowPass: boolean; itemFeatures?: FeatureSide },
): Promise<{ model: SelectionModel; lowPass: SelectionModel | null; x: InteractionMatrix }> {
  const x = interactionsMatrix(data, c);
  const cold = (m: SelectionModel) => (opts.itemFeatures ? withColdProductVectors(m, x, opts.itemFeatures) : m);
  const model = cold(await selectionModel(await gramSubspace(x, choice.rank, ops, seed), choice, ops));
  const lowPass = opts.lowPass && c.lowPassRank > 0 ? cold(await lowPassModel(x, c.lowPassRank, ops, seed)) : null;
  return { model, lowPass, x };
}
