/**
 * Batch scoring with the ranking model.
 *
 * The first dense layer is split: for x = [e_u, e_i], x·W1 + b1 = e_u·W1[:d] + (e_i·W1[d:] + b1), so
 * the user part is computed once per user and the product part once per product; each pair then
 * costs only add + relu + the remaining layers.
 */
import * as tf from './tf.js';
import type { BaselineModel } from './baseline.js';
import type { RankingModel } from './ranking-model.js';
import { RankingEnsemble } from './ranking-ensemble.js';
import { runtimeFor, type EnginePreference } from './stepper.js';
import { OnnxScorer } from './onnx/onnx-scorer.js';

export interface ScoreBlock {
  /** User indices of this block, in order. */
  users: Int32Array;
  numItems: number;
  /** Row-major [users.length × numItems] clipped scores: scores[r * numItems + i] for users[r], item i. */
  scores: Float32Array;
}

export interface ScoreAllOptions {
  /** Users per block (default: 8 on TensorFlow.js, where small blocks stay in cache; about 16,384 pairs a block on onnxruntime). */
  usersPerBlock?: number;
  /**
   * Clip the scores to the rating range (default true). The prediction matrix keeps them unclipped:
   * clipped, every product predicted above the top rating ties at it, and a user's best products
   * would be ordered by nothing but their ids.
   */
  clip?: boolean;
  /** The compute engine (default auto: onnxruntime where it loads). */
  engine?: EnginePreference;
  /** onnxruntime's threads for this scoring (default 1). */
  threads?: number;
}

/** First-layer pre-activations split into a per-user and a per-item part. */
function splitFirstLayer(model: RankingModel, users: tf.Tensor1D | null, items: tf.Tensor1D | null) {
  const d = model.config.embeddingDim;
  const { kernel, bias } = model.head.layers[0];
  const w1u = tf.slice(kernel, [0, 0], [d, -1]) as tf.Tensor2D;
  const w1i = tf.slice(kernel, [d, 0], [d, -1]) as tf.Tensor2D;
  const ue = (users ? tf.gather(model.user.embeddings, users) : model.user.embeddings) as tf.Tensor2D;
  const ie = (items ? tf.gather(model.item.embeddings, items) : model.item.embeddings) as tf.Tensor2D;
  const userPart = tf.matMul(ue, w1u);
  const itemPart = tf.add(tf.matMul(ie, w1i), bias) as tf.Tensor2D;
  return { userPart, itemPart };
}

/**
 * One network's scores for blocks of `users` × every product: the per-user and per-product parts
 * are computed once here, each block is then add + relu + the remaining layers.
 */
function blockScorer(model: RankingModel, users: Int32Array) {
  const useDot = model.config.dotProduct;
  const [userPart, itemPart, userEmb, itemEmbT, userBias] = tf.tidy(() => {
    const ids = tf.tensor1d(users, 'int32');
    const { userPart, itemPart } = splitFirstLayer(model, ids, null);
    // Dot-product term (config.dotProduct): [n, d] · [d, numItems], item side transposed once.
    const parts: (tf.Tensor | null)[] = [userPart, itemPart];
    parts.push(useDot ? tf.gather(model.user.embeddings, ids) : null, useDot ? tf.transpose(model.item.embeddings) : null);
    parts.push(model.user.biases ? tf.gather(model.user.biases, ids) : null);
    return parts.map((t) => t ?? tf.zeros([0])); // tidy cannot return null
  }) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
  return {
    /** Unclipped scores [n, numItems] of users[s .. s + n) (call inside tf.tidy). */
    block(s: number, n: number): tf.Tensor2D {
      const up = tf.slice(userPart, [s, 0], [n, -1]);
      const z1 = tf.add(tf.expandDims(itemPart, 0), tf.expandDims(up, 1));
      const hidden = itemPart.shape[1];
      let scores = tf.reshape(model.head.applyFromFirstPreActivation(tf.reshape(z1, [n * model.numItems, hidden]) as tf.Tensor2D), [n, model.numItems]);
      if (model.user.biases && model.item.biases) {
        scores = tf.add(tf.add(scores, tf.expandDims(tf.slice(userBias, [s], [n]), 1)), tf.expandDims(model.item.biases, 0));
      }
      if (useDot) scores = tf.add(scores, tf.matMul(tf.slice(userEmb, [s, 0], [n, -1]), itemEmbT));
      return scores as tf.Tensor2D;
    },
    dispose() {
      tf.dispose([userPart, itemPart, userEmb, itemEmbT, userBias]);
    },
  };
}

/**
 * Score every product for each of `userIndices`, `usersPerBlock` users at a time, calling `onBlock`
 * (awaited, so a slow consumer such as a COPY stream applies back-pressure) with Float32Array scores.
 * An ensemble's score is the mean of its networks' outputs, then clipped (unless `clip` is false).
 * The caller skips the products a user already rated.
 */
export async function scoreAllItems(
  model: RankingModel | RankingEnsemble,
  userIndices: ArrayLike<number>,
  onBlock: (block: ScoreBlock) => void | Promise<void>,
  opts: ScoreAllOptions = {},
): Promise<void> {
  const ensemble = RankingEnsemble.of(model);
  const { members, numUsers, numItems, config } = ensemble;
  const clip = opts.clip ?? true;
  const users = Int32Array.from(userIndices);
  for (const u of users) if (u < 0 || u >= numUsers) throw new Error(`user index ${u} out of range`);
  const ort = await runtimeFor(opts.engine);
  if (ort) return scoreOnOnnx(OnnxScorer.of(ort, ensemble, opts.threads), users, onBlock, opts.usersPerBlock, clip ? config : null);
  const per = Math.max(1, opts.usersPerBlock ?? 8);
  const scorers: ReturnType<typeof blockScorer>[] = [];
  try {
    for (const member of members) scorers.push(blockScorer(member, users));
    for (let s = 0; s < users.length; s += per) {
      const n = Math.min(per, users.length - s);
      const out = tf.tidy(() => {
        const blocks = scorers.map((scorer) => scorer.block(s, n));
        const mean = blocks.length === 1 ? blocks[0] : tf.div(tf.addN(blocks), blocks.length);
        return clip ? tf.clipByValue(mean, config.minRating, config.maxRating) : mean;
      });
      const scores = out.dataSync() as Float32Array;
      out.dispose();
      await onBlock({ users: users.slice(s, s + n), numItems, scores: new Float32Array(scores) });
    }
  } finally {
    for (const scorer of scorers) scorer.dispose();
  }
}

/** scoreAllItems on onnxruntime: the next block is computed (on onnxruntime's threads) while `onBlock` takes this one. */
async function scoreOnOnnx(
  scorer: OnnxScorer,
  users: Int32Array,
  onBlock: (block: ScoreBlock) => void | Promise<void>,
  usersPerBlock: number | undefined,
  clipTo: { minRating: number; maxRating: number } | null,
): Promise<void> {
  const per = Math.max(1, usersPerBlock ?? scorer.usersPerBlock);
  const blockAt = (s: number) => scorer.block(users.subarray(s, Math.min(users.length, s + per)));
  let next = users.length > 0 ? blockAt(0) : null;
  try {
    for (let s = 0; next; s += per) {
      const scores = await next;
      next = s + per < users.length ? blockAt(s + per) : null;
      if (clipTo) for (let k = 0; k < scores.length; k++) scores[k] = Math.min(clipTo.maxRating, Math.max(clipTo.minRating, scores[k]));
      await onBlock({ users: users.slice(s, s + per), numItems: scorer.numItems, scores });
    }
  } finally {
    await next?.catch(() => {}); // a block still running when onBlock failed: let it end before the session goes
    await scorer.release();
  }
}

/**
 * Scores of arbitrary (user, item) pairs, clipped. A pair with an unknown user or product
 * (index −1 or out of the model's range) gets the baseline's prediction when a baseline is given
 * (else NaN).
 */
export function scorePairs(
  model: RankingModel | RankingEnsemble,
  userIdx: ArrayLike<number>,
  itemIdx: ArrayLike<number>,
  baseline?: BaselineModel,
  chunk = 32768,
): Float32Array {
  const { out, known, users, items } = splitKnownPairs(model, userIdx, itemIdx, baseline);
  const p = model.predictArrays(users, items, chunk);
  known.forEach((k, j) => (out[k] = p[j]));
  return out;
}

/** The pairs the model knows (their positions and indices), and the others already scored by the baseline (else NaN) in `out`. */
function splitKnownPairs(model: RankingModel | RankingEnsemble, userIdx: ArrayLike<number>, itemIdx: ArrayLike<number>, baseline?: BaselineModel) {
  const n = userIdx.length;
  if (itemIdx.length !== n) throw new Error('scorePairs: userIdx and itemIdx differ in length');
  const out = new Float32Array(n);
  const known: number[] = [];
  for (let k = 0; k < n; k++) {
    const u = userIdx[k];
    const i = itemIdx[k];
    if (u >= 0 && u < model.numUsers && i >= 0 && i < model.numItems) known.push(k);
    else out[k] = baseline ? baseline.predict(u, i) : NaN;
  }
  return { out, known, users: Int32Array.from(known, (k) => userIdx[k]), items: Int32Array.from(known, (k) => itemIdx[k]) };
}

/**
 * scorePairs on onnxruntime where it loads (else TensorFlow.js): the same clipped scores, for the large
 * sets of pairs of a run's evaluation.
 */
export async function scorePairsWith(
  model: RankingModel | RankingEnsemble,
  userIdx: ArrayLike<number>,
  itemIdx: ArrayLike<number>,
  baseline: BaselineModel | undefined,
  opts: { engine?: EnginePreference; threads?: number } = {},
): Promise<Float32Array> {
  const ort = await runtimeFor(opts.engine);
  if (!ort) return scorePairs(model, userIdx, itemIdx, baseline);
  const ensemble = RankingEnsemble.of(model);
  const { minRating, maxRating } = ensemble.config;
  const { out, known, users, items } = splitKnownPairs(model, userIdx, itemIdx, baseline);
  const scorer = OnnxScorer.of(ort, ensemble, opts.threads);
  try {
    const scores = await scorer.pairs(users, items);
    known.forEach((k, j) => (out[k] = Math.min(maxRating, Math.max(minRating, scores[j]))));
  } finally {
    await scorer.release();
  }
  return out;
}
