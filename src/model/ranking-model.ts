/**
 * The TFRS ranking model: user tower + product tower → concatenate → ranking head (Dense 256 relu,
 * Dense 64 relu, Dense 1), plus (config.useBias) a user bias and a product bias; the head's output
 * bias starts at the global mean rating. Predictions are clipped to [minRating, maxRating].
 */
import * as tf from './tf.js';
import type { TrainingConfig } from './config.js';
import { EmbeddingTower, type TowerLookup } from './embedding-tower.js';
import { RankingHead } from './ranking-head.js';
import { dropout } from './dropout.js';
import { makeRng } from './rng.js';

export interface ForwardOptions {
  training?: boolean;
  /** Seed for this step's dropout mask. */
  dropoutSeed?: number;
}

export interface ForwardResult {
  /** Unclipped predictions [batch]. */
  predictions: tf.Tensor1D;
  /** L2 penalty for this batch (null when l2 = l2Dense = 0 or not training). */
  regularization: tf.Scalar | null;
}

/** Plain arrays of every weight, keyed by a stable name (the artifact format uses these). */
export interface ModelWeights {
  [name: string]: { shape: number[]; values: Float32Array };
}

export interface ModelInit {
  globalMean?: number;
  userBias?: Float32Array;
  itemBias?: Float32Array;
  weights?: ModelWeights;
}

export class RankingModel {
  readonly config: TrainingConfig;
  readonly numUsers: number;
  readonly numItems: number;
  readonly user: EmbeddingTower;
  readonly item: EmbeddingTower;
  readonly head: RankingHead;
  /**
   * With feature towers: the users' token embeddings [tokens, dim] (names in the run's vocabulary). The
   * known users' tokens are already in their embeddings; these give a user new to the model a vector.
   */
  userFeatures: Float32Array | null;

  constructor(config: TrainingConfig, numUsers: number, numItems: number, init: ModelInit = {}) {
    this.config = config;
    this.numUsers = numUsers;
    this.numItems = numItems;
    const rng = makeRng(config.seed);
    const w = init.weights;
    const get = (name: string) => {
      const t = w?.[name];
      if (w && !t) throw new Error(`missing weight ${name}`);
      return t?.values;
    };
    this.user = new EmbeddingTower({
      name: 'user',
      vocabSize: numUsers,
      dim: config.embeddingDim,
      useBias: config.useBias,
      rng,
      initScale: config.embeddingInitScale,
      embeddings: get('user_embedding'),
      biases: config.useBias ? (get('user_bias') ?? init.userBias) : undefined,
    });
    this.item = new EmbeddingTower({
      name: 'item',
      vocabSize: numItems,
      dim: config.embeddingDim,
      useBias: config.useBias,
      rng,
      initScale: config.embeddingInitScale,
      embeddings: get('item_embedding'),
      biases: config.useBias ? (get('item_bias') ?? init.itemBias) : undefined,
    });
    this.userFeatures = w?.user_feature_embedding?.values.slice() ?? null;
    const nLayers = config.layerSizes.length + 1;
    this.head = new RankingHead({
      inputDim: 2 * config.embeddingDim,
      layerSizes: config.layerSizes,
      rng,
      outputBiasInit: init.globalMean ?? (config.minRating + config.maxRating) / 2,
      weights: w ? Array.from({ length: nLayers }, (_, l) => ({ kernel: get(`dense_${l}_kernel`)!, bias: get(`dense_${l}_bias`)! })) : undefined,
    });
  }

  /** Raw forward pass (differentiable). users/items: int32 [batch]. */
  forward(users: tf.Tensor1D, items: tf.Tensor1D, opts: ForwardOptions = {}): ForwardResult {
    return this.forwardLookups(this.user.lookup(users), this.item.lookup(items), opts);
  }

  /**
   * The same forward pass from already gathered per-example embeddings / biases (the sparse
   * training step gathers the batch's unique rows first and differentiates w.r.t. those).
   */
  forwardLookups(u: TowerLookup, i: TowerLookup, opts: ForwardOptions = {}): ForwardResult {
    const c = this.config;
    const batch = u.embedding.shape[0];
    let x = tf.concat([u.embedding, i.embedding], 1) as tf.Tensor2D;
    if (opts.training && c.dropout > 0) x = dropout(x, c.dropout, opts.dropoutSeed);
    let pred = this.head.apply(x, opts.training && c.hiddenDropout > 0 ? { rate: c.hiddenDropout, seed: opts.dropoutSeed } : undefined);
    if (u.bias && i.bias) pred = tf.add(tf.add(pred, u.bias), i.bias) as tf.Tensor1D;
    if (c.dotProduct) pred = tf.add(pred, tf.sum(tf.mul(u.embedding, i.embedding), 1)) as tf.Tensor1D;

    let regularization: tf.Scalar | null = null;
    if (opts.training) {
      const terms: tf.Scalar[] = [];
      if (c.l2 > 0) {
        let sq = tf.add(tf.sum(tf.square(u.embedding)), tf.sum(tf.square(i.embedding)));
        if (u.bias && i.bias) sq = tf.add(sq, tf.add(tf.sum(tf.square(u.bias)), tf.sum(tf.square(i.bias))));
        terms.push(tf.mul(sq, c.l2 / batch) as tf.Scalar);
      }
      if (c.l2Dense > 0) {
        const s = tf.addN(this.head.kernels().map((k) => tf.sum(tf.square(k))));
        terms.push(tf.mul(s, c.l2Dense) as tf.Scalar);
      }
      if (terms.length) regularization = (terms.length === 1 ? terms[0] : tf.addN(terms)) as tf.Scalar;
    }
    return { predictions: pred, regularization };
  }

  /** Clipped predictions for (users[k], items[k]), no gradient bookkeeping. */
  predict(users: tf.Tensor1D, items: tf.Tensor1D): tf.Tensor1D {
    return tf.tidy(() => tf.clipByValue(this.forward(users, items).predictions, this.config.minRating, this.config.maxRating));
  }

  /** Predictions for plain arrays, in chunks; clipped unless `clip` is false. */
  predictArrays(users: Int32Array, items: Int32Array, chunk = 16384, clip = true): Float32Array {
    const out = new Float32Array(users.length);
    for (let s = 0; s < users.length; s += chunk) {
      const e = Math.min(users.length, s + chunk);
      const p = tf.tidy(() => {
        const u = tf.tensor1d(users.subarray(s, e), 'int32');
        const i = tf.tensor1d(items.subarray(s, e), 'int32');
        return clip ? this.predict(u, i) : this.forward(u, i).predictions;
      });
      out.set(p.dataSync() as Float32Array, s);
      p.dispose();
    }
    return out;
  }

  trainableVariables(): tf.Variable[] {
    return [...this.user.variables(), ...this.item.variables(), ...this.head.variables()];
  }

  /** Named copies of every weight. */
  getWeights(): ModelWeights {
    const out: ModelWeights = {};
    const put = (name: string, v: tf.Variable) => {
      out[name] = { shape: v.shape.slice(), values: new Float32Array(v.dataSync() as Float32Array) };
    };
    put('user_embedding', this.user.embeddings);
    put('item_embedding', this.item.embeddings);
    if (this.user.biases) put('user_bias', this.user.biases);
    if (this.item.biases) put('item_bias', this.item.biases);
    this.head.layers.forEach((l, k) => {
      put(`dense_${k}_kernel`, l.kernel);
      put(`dense_${k}_bias`, l.bias);
    });
    if (this.userFeatures)
      out.user_feature_embedding = {
        shape: [this.userFeatures.length / this.config.embeddingDim, this.config.embeddingDim],
        values: this.userFeatures.slice(),
      };
    return out;
  }

  /** Overwrite every weight from named arrays (e.g. restoring the best epoch). */
  setWeights(w: ModelWeights): void {
    const set = (name: string, v: tf.Variable) => {
      const t = w[name];
      if (!t) throw new Error(`missing weight ${name}`);
      v.assign(tf.tensor(t.values, v.shape));
    };
    tf.tidy(() => {
      set('user_embedding', this.user.embeddings);
      set('item_embedding', this.item.embeddings);
      if (this.user.biases) set('user_bias', this.user.biases);
      if (this.item.biases) set('item_bias', this.item.biases);
      this.head.layers.forEach((l, k) => {
        set(`dense_${k}_kernel`, l.kernel);
        set(`dense_${k}_bias`, l.bias);
      });
    });
    if (w.user_feature_embedding) this.userFeatures = w.user_feature_embedding.values.slice();
  }

  dispose(): void {
    this.user.dispose();
    this.item.dispose();
    this.head.dispose();
  }
}
