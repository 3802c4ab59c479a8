/**
 * The training step on onnxruntime: the ranking head's forward and backward run as one ONNX graph
 * (head-graphs.ts), the embedding lookups, dropout masks, L2 terms and Adam steps in JS on the
 * weights' own arrays. It takes the same steps as the TensorFlow.js path (same masks from the same
 * seeds, same formulas; test/model/onnx.test.ts compares them), several times faster.
 */
import type { TrainingConfig } from '../config.js';
import { bernoulliMask, makeRng } from '../rng.js';
import type { EntityFeatures, FeatureSide } from '../features.js';
import { uniqueIds } from '../optimizer.js';
import type { ModelWeights, RankingModel } from '../ranking-model.js';
import { NetworkOwner, type Batch, type TrainingStepper } from '../stepper.js';
import { ArrayAdam } from './adam.js';
import { forwardGraph, trainingStepGraph } from './head-graphs.js';
import { createSession, type Ort, type Session } from './runtime.js';
import { TokenPools, type Pooling, type Side, type TokenGroupSpec } from './token-pool.js';

function addRow(out: Float32Array, at: number, from: Float32Array, start: number, d: number): void {
  for (let j = 0; j < d; j++) out[at + j] += from[start + j];
}

/** Validation rows per forward call. */
const PREDICT_CHUNK = 16_384;

/** The feature and history token groups of a configuration (none without features or the history). */
async function tokenPools(config: TrainingConfig, model: RankingModel, features?: EntityFeatures): Promise<TokenPools | null> {
  const sides = (config.features || config.interactionHistory) && features ? features : null;
  if (!sides) return null;
  const groups: [Side, FeatureSide | undefined, string, Pooling][] = [
    ['user', sides.users, 'user_feature_embedding', 'mean'],
    ['item', sides.items, 'item_feature_embedding', 'mean'],
    ['user', sides.userHistory, 'user_history_embedding', 'sqrt'],
    ['item', sides.itemHistory, 'item_history_embedding', 'sqrt'],
  ];
  const specs: TokenGroupSpec[] = groups.filter(([, f]) => f && f.numTokens > 0).map(([side, f, table, pooling]) => ({ side, f: f!, table, pooling }));
  if (specs.length === 0) return null;
  const rng = makeRng(config.seed + 77);
  const scale = config.embeddingInitScale;
  const maxEntities = Math.max(config.batchSize, Math.min(PREDICT_CHUNK, Math.max(model.numUsers, model.numItems)));
  return TokenPools.create(
    specs,
    config.embeddingDim,
    config.historyTokensPerStep,
    maxEntities,
    (n) => Float32Array.from({ length: n }, () => (rng() * 2 - 1) * scale),
    config.seed + 78,
  );
}

export class OnnxStepper extends NetworkOwner implements TrainingStepper {
  readonly engine = 'onnxruntime' as const;
  private readonly weights: ModelWeights;
  private readonly adam: ArrayAdam;
  private readonly sizes: number[];
  private readonly d: number;
  private readonly userStamp: Int32Array;
  private readonly itemStamp: Int32Array;
  private readonly ones: Float32Array[];
  private sse = 0;
  private loss = 0;

  private constructor(
    private readonly ort: Ort,
    private readonly config: TrainingConfig,
    model: RankingModel,
    private readonly stepSession: Session,
    private readonly forwardSession: Session,
    /** Feature and history tokens of users and products, a table in `weights` each group (none without). */
    private readonly tokens: TokenPools | null,
  ) {
    super(model);
    this.weights = model.getWeights();
    for (const { name, values, rows } of tokens?.tables() ?? []) this.weights[name] = { shape: [rows, config.embeddingDim], values };
    this.sizes = model.head.sizes;
    this.d = config.embeddingDim;
    this.adam = new ArrayAdam(config.learningRate);
    this.userStamp = new Int32Array(model.numUsers);
    this.itemStamp = new Int32Array(model.numItems);
    this.ones = this.sizes.slice(1, -1).map((h) => new Float32Array(config.batchSize * h).fill(1));
  }

  /** Trains `model` (its initial weights) on onnxruntime; `finish()` gives it back trained. */
  static async create(ort: Ort, config: TrainingConfig, model: RankingModel, threads = 1, features?: EntityFeatures): Promise<OnnxStepper> {
    const sizes = model.head.sizes;
    const [step, fwd, tokens] = await Promise.all([
      createSession(ort, trainingStepGraph(sizes), threads),
      createSession(ort, forwardGraph(sizes), threads),
      tokenPools(config, model, features),
    ]);
    return new OnnxStepper(ort, config, model, step, fwd, tokens);
  }

  /**
   * The pooled tokens of each distinct entity of `ids` (a popular product is pooled once a batch, not per
   * example): every token for validation, a window of them for a training step (token-pool.ts).
   */
  private pooledTokens(side: Side, ids: Int32Array, training: boolean): { local: Int32Array; vectors: Float32Array } | null {
    if (!this.tokens?.has(side)) return null;
    const { unique, local } = uniqueIds(ids, ids.length, side === 'user' ? this.userStamp : this.itemStamp);
    const vectors = new Float32Array(unique.length * this.d);
    this.tokens.pool(side, unique, training, vectors);
    return { local, vectors };
  }

  private tensor(values: Float32Array, dims: number[]) {
    return new this.ort.Tensor('float32', values, dims);
  }

  private headFeeds(x: Float32Array, offset: Float32Array, rows: number): Record<string, InstanceType<Ort['Tensor']>> {
    const feeds: Record<string, InstanceType<Ort['Tensor']>> = { x: this.tensor(x, [rows, 2 * this.d]), offset: this.tensor(offset, [rows, 1]) };
    for (let l = 0; l + 1 < this.sizes.length; l++) {
      feeds[`w_${l}`] = this.tensor(this.weights[`dense_${l}_kernel`].values, [this.sizes[l], this.sizes[l + 1]]);
      feeds[`b_${l}`] = this.tensor(this.weights[`dense_${l}_bias`].values, [this.sizes[l + 1]]);
    }
    return feeds;
  }

  /** x[k] = [e_user, e_item] and offset[k] = the bias (and dot-product) terms, for rows k of (users, items). */
  private inputs(users: Int32Array, items: Int32Array, from: number, rows: number, training: boolean) {
    const { d, weights: w, config: c } = this;
    const ue = w.user_embedding.values;
    const ie = w.item_embedding.values;
    const ub = w.user_bias?.values;
    const ib = w.item_bias?.values;
    const x = new Float32Array(rows * 2 * d);
    const offset = new Float32Array(rows);
    const userTokens = this.pooledTokens('user', users.subarray(from, from + rows), training);
    const itemTokens = this.pooledTokens('item', items.subarray(from, from + rows), training);
    for (let k = 0; k < rows; k++) {
      const u = users[from + k] * d;
      const i = items[from + k] * d;
      x.set(ue.subarray(u, u + d), k * 2 * d);
      x.set(ie.subarray(i, i + d), k * 2 * d + d);
      if (userTokens) addRow(x, k * 2 * d, userTokens.vectors, userTokens.local[k] * d, d);
      if (itemTokens) addRow(x, k * 2 * d + d, itemTokens.vectors, itemTokens.local[k] * d, d);
      let o = ub && ib ? ub[users[from + k]] + ib[items[from + k]] : 0;
      if (c.dotProduct) for (let j = 0; j < d; j++) o += x[k * 2 * d + j] * x[k * 2 * d + d + j];
      offset[k] = o;
    }
    return { x, offset };
  }

  async step(batch: Batch, dropoutSeed: number): Promise<void> {
    const { d, weights: w, config: c, sizes } = this;
    const { users, items, ratings, size: B } = batch;
    const { x, offset } = this.inputs(users, items, 0, B, true);
    // The entities' vectors before dropout, for the dot product's gradient.
    const vectors = c.dotProduct ? x.slice() : x;
    const inputMask = c.dropout > 0 ? bernoulliMask(x.length, 1 - c.dropout, 1 / (1 - c.dropout), dropoutSeed) : null;
    if (inputMask) for (let j = 0; j < x.length; j++) x[j] *= inputMask[j];
    const feeds = this.headFeeds(x, offset, B);
    feeds.target = this.tensor(ratings.subarray(0, B), [B, 1]);
    feeds.grad_scale = this.tensor(Float32Array.of(2 / B), [1]);
    for (let l = 0; l + 2 < sizes.length; l++) {
      const n = B * sizes[l + 1];
      const mask =
        c.hiddenDropout > 0 ? bernoulliMask(n, 1 - c.hiddenDropout, 1 / (1 - c.hiddenDropout), dropoutSeed + 7919 * (l + 1)) : this.ones[l].subarray(0, n);
      feeds[`mask_${l}`] = this.tensor(mask, [B, sizes[l + 1]]);
    }
    const out = await this.stepSession.run(feeds);
    const prediction = out.prediction.data as Float32Array;
    const dPrediction = out.d_prediction.data as Float32Array;
    const dx = out.d_x.data as Float32Array;

    const ue = w.user_embedding.values;
    const ie = w.item_embedding.values;
    const ub = w.user_bias?.values;
    const ib = w.item_bias?.values;
    let sse = 0;
    for (let k = 0; k < B; k++) sse += (prediction[k] - ratings[k]) ** 2;
    // L2 on the batch's embedding rows (per example, as the TensorFlow.js path) and on the kernels.
    const l2 = c.l2 / B;
    let reg = 0;
    const u = uniqueIds(users, B, this.userStamp);
    const i = uniqueIds(items, B, this.itemStamp);
    const gu = new Float32Array(u.unique.length * d);
    const gi = new Float32Array(i.unique.length * d);
    const gub = ub ? new Float32Array(u.unique.length) : null;
    const gib = ib ? new Float32Array(i.unique.length) : null;
    // The gradient on each distinct user's and product's vector (before L2, summed over its examples), for their tokens.
    const tokens = this.tokens !== null;
    const vu = tokens ? new Float32Array(u.unique.length * d) : null;
    const vi = tokens ? new Float32Array(i.unique.length * d) : null;
    const nu = tokens ? new Float32Array(u.unique.length) : null;
    const ni = tokens ? new Float32Array(i.unique.length) : null;
    for (let k = 0; k < B; k++) {
      const uRow = users[k] * d;
      const iRow = items[k] * d;
      const su = u.local[k] * d;
      const si = i.local[k] * d;
      const dp = dPrediction[k];
      const xk = k * 2 * d;
      for (let j = 0; j < d; j++) {
        const eu = ue[uRow + j];
        const ei = ie[iRow + j];
        reg += eu * eu + ei * ei;
        let gU = dx[xk + j];
        let gI = dx[xk + d + j];
        if (inputMask) {
          gU *= inputMask[xk + j];
          gI *= inputMask[xk + d + j];
        }
        if (c.dotProduct) {
          gU += dp * vectors[xk + d + j];
          gI += dp * vectors[xk + j];
        }
        if (vu && vi) {
          vu[su + j] += gU;
          vi[si + j] += gI;
        }
        gU += 2 * l2 * eu;
        gI += 2 * l2 * ei;
        gu[su + j] += gU;
        gi[si + j] += gI;
      }
      if (nu && ni) {
        nu[u.local[k]]++;
        ni[i.local[k]]++;
      }
      if (ub && ib && gub && gib) {
        const bu = ub[users[k]];
        const bi = ib[items[k]];
        reg += bu * bu + bi * bi;
        gub[u.local[k]] += dp + 2 * l2 * bu;
        gib[i.local[k]] += dp + 2 * l2 * bi;
      }
    }
    this.adam.nextStep();
    if (vu && vi && nu && ni) {
      const adam = this.adam.current;
      reg += this.tokens!.step('user', u.unique, vu, nu, l2, adam) + this.tokens!.step('item', i.unique, vi, ni, l2, adam);
    }
    reg *= l2;
    for (let l = 0; l + 1 < sizes.length; l++) {
      const kernel = w[`dense_${l}_kernel`].values;
      const dw = out[`dw_${l}`].data as Float32Array;
      if (c.l2Dense > 0) {
        for (let j = 0; j < kernel.length; j++) {
          reg += c.l2Dense * kernel[j] * kernel[j];
          dw[j] += 2 * c.l2Dense * kernel[j];
        }
      }
      this.adam.dense(kernel, dw);
      this.adam.dense(w[`dense_${l}_bias`].values, out[`db_${l}`].data as Float32Array);
    }
    this.adam.rows(ue, d, u.unique, gu);
    this.adam.rows(ie, d, i.unique, gi);
    if (ub && ib && gub && gib) {
      this.adam.rows(ub, 1, u.unique, gub);
      this.adam.rows(ib, 1, i.unique, gib);
    }
    this.sse += sse;
    this.loss += sse + reg * B;
  }

  epochTotals() {
    const totals = { sse: this.sse, loss: this.loss };
    this.sse = 0;
    this.loss = 0;
    return totals;
  }

  async predict(users: Int32Array, items: Int32Array): Promise<Float32Array> {
    const out = new Float32Array(users.length);
    const { minRating, maxRating } = this.config;
    for (let s = 0; s < users.length; s += PREDICT_CHUNK) {
      const rows = Math.min(PREDICT_CHUNK, users.length - s);
      const { x, offset } = this.inputs(users, items, s, rows, false);
      const { prediction } = await this.forwardSession.run(this.headFeeds(x, offset, rows));
      const p = prediction.data as Float32Array;
      for (let k = 0; k < rows; k++) out[s + k] = Math.min(maxRating, Math.max(minRating, p[k]));
    }
    return out;
  }

  useEvaluationWeights() {
    return null; // no weight averaging on this path (onnxSupports)
  }

  getWeights(): ModelWeights {
    const copy: ModelWeights = {};
    for (const [name, t] of Object.entries(this.weights)) copy[name] = { shape: t.shape.slice(), values: new Float32Array(t.values) };
    return copy;
  }

  setWeights(weights: ModelWeights): void {
    for (const [name, t] of Object.entries(this.weights)) {
      const from = weights[name];
      if (!from) throw new Error(`missing weight ${name}`);
      t.values.set(from.values);
    }
  }

  setLearningRate(learningRate: number): void {
    this.adam.learningRate = learningRate;
  }

  /** The trained network; with token groups, each id embedding with its pooled tokens added in, as it is scored. */
  finish(): RankingModel {
    const { d } = this;
    for (const side of ['user', 'item'] as const) {
      if (!this.tokens?.has(side)) continue;
      const table = this.weights[`${side}_embedding`].values;
      const entities = table.length / d;
      const chunk = this.tokens.maxEntities;
      for (let s = 0; s < entities; s += chunk) {
        const ids = Int32Array.from({ length: Math.min(chunk, entities - s) }, (_, k) => s + k);
        const pooled = new Float32Array(ids.length * d);
        this.tokens.pool(side, ids, false, pooled);
        for (let j = 0; j < pooled.length; j++) table[s * d + j] += pooled[j];
      }
    }
    this.model.setWeights(this.weights);
    return super.finish();
  }

  protected release(): void {
    void this.stepSession.release();
    void this.forwardSession.release();
  }
}
