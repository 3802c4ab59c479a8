/**
 * Scoring an ensemble on onnxruntime: users × every product in blocks (the matrix), or arbitrary
 * (user, product) pairs (evaluation, candidates). One session per shape, the trained weights baked in.
 */
import type { RankingModel } from '../ranking-model.js';
import type { RankingEnsemble } from '../ranking-ensemble.js';
import { scoringGraph, type NetworkArrays } from './head-graphs.js';
import { createSession, type Ort, type Session } from './runtime.js';

/** Pairs per call: big enough to amortise a call, small enough for the [pairs, 256] activations to stay in cache-sized blocks. */
export const PAIRS_PER_CALL = 16_384;

/** The network's weights in the layout the graphs take. */
export function networkArrays(model: RankingModel): NetworkArrays {
  const w = model.getWeights();
  const layers = model.head.layers.length;
  return {
    embeddingDim: model.config.embeddingDim,
    numUsers: model.numUsers,
    numItems: model.numItems,
    userEmbedding: w.user_embedding.values,
    itemEmbedding: w.item_embedding.values,
    userBias: w.user_bias?.values ?? null,
    itemBias: w.item_bias?.values ?? null,
    dotProduct: model.config.dotProduct,
    kernels: Array.from({ length: layers }, (_, l) => w[`dense_${l}_kernel`].values),
    biases: Array.from({ length: layers }, (_, l) => w[`dense_${l}_bias`].values),
    sizes: model.head.sizes,
  };
}

export class OnnxScorer {
  private readonly sessions = new Map<'pairs' | 'block', Promise<Session>>();
  readonly numItems: number;

  constructor(
    private readonly ort: Ort,
    readonly members: NetworkArrays[],
    readonly threads = 1,
  ) {
    this.numItems = members[0].numItems;
  }

  static of(ort: Ort, ensemble: RankingEnsemble, threads = 1): OnnxScorer {
    return new OnnxScorer(ort, ensemble.members.map(networkArrays), threads);
  }

  /** Users per block so that a block is about PAIRS_PER_CALL pairs. */
  get usersPerBlock(): number {
    return Math.max(1, Math.min(64, Math.round(PAIRS_PER_CALL / this.numItems)));
  }

  private session(shape: 'pairs' | 'block'): Promise<Session> {
    let s = this.sessions.get(shape);
    if (!s) {
      s = createSession(this.ort, scoringGraph(this.members, shape), this.threads);
      this.sessions.set(shape, s);
    }
    return s;
  }

  private indices(values: ArrayLike<number>, from: number, n: number) {
    const out = new BigInt64Array(n);
    for (let k = 0; k < n; k++) out[k] = BigInt(values[from + k]);
    return new this.ort.Tensor('int64', out, [n]);
  }

  /** Unclipped ensemble scores [users.length × numItems], row-major. */
  async block(users: Int32Array): Promise<Float32Array> {
    const session = await this.session('block');
    const { score } = await session.run({ user: this.indices(users, 0, users.length) });
    return score.data as Float32Array;
  }

  /** Unclipped ensemble scores of (users[k], items[k]); every index must be in range. */
  async pairs(users: ArrayLike<number>, items: ArrayLike<number>): Promise<Float32Array> {
    const session = await this.session('pairs');
    const out = new Float32Array(users.length);
    for (let s = 0; s < users.length; s += PAIRS_PER_CALL) {
      const n = Math.min(PAIRS_PER_CALL, users.length - s);
      const { score } = await session.run({ user: this.indices(users, s, n), item: this.indices(items, s, n) });
      out.set(score.data as Float32Array, s);
    }
    return out;
  }

  async release(): Promise<void> {
    const sessions = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(sessions.map(async (s) => (await s).release()));
  }
}
