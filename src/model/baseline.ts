/**
 * Baseline predictor: global mean + regularised user and product biases,
 *   r̂(u, i) = μ + b_u + b_i,
 * fitted by a few alternating least-squares passes:
 *   b_u = Σ_{i∈R(u)} (r − μ − b_i) / (regUser + |R(u)|),   b_i = Σ_{u∈R(i)} (r − μ − b_u) / (regItem + |R(i)|).
 * Unknown users/products (index −1 or out of range) fall back to the terms that are known, so a
 * new user gets μ + b_i and a new product μ + b_u. Also used to initialise the model's bias terms.
 */
import type { RatingData } from './data.js';

export interface BaselineOptions {
  /** Regularisation of the user biases (default 10). */
  regUser?: number;
  /** Regularisation of the product biases (default 10). */
  regItem?: number;
  /** Alternating passes (default 5). */
  iterations?: number;
  minRating?: number;
  maxRating?: number;
}

export interface BaselineParams {
  kind: 'baseline-biases';
  globalMean: number;
  userBias: number[];
  itemBias: number[];
  minRating: number;
  maxRating: number;
}

export class BaselineModel {
  constructor(
    readonly globalMean: number,
    readonly userBias: Float32Array,
    readonly itemBias: Float32Array,
    readonly minRating = 1,
    readonly maxRating = 5,
  ) {}

  get numUsers(): number {
    return this.userBias.length;
  }

  get numItems(): number {
    return this.itemBias.length;
  }

  /** Unclipped μ + b_u + b_i (unknown index → its term is 0). */
  raw(u: number, i: number): number {
    let p = this.globalMean;
    if (u >= 0 && u < this.userBias.length) p += this.userBias[u];
    if (i >= 0 && i < this.itemBias.length) p += this.itemBias[i];
    return p;
  }

  /** Prediction clipped to [minRating, maxRating]. */
  predict(u: number, i: number): number {
    return Math.min(this.maxRating, Math.max(this.minRating, this.raw(u, i)));
  }

  predictArrays(users: Int32Array, items: Int32Array): Float32Array {
    const out = new Float32Array(users.length);
    for (let k = 0; k < users.length; k++) out[k] = this.predict(users[k], items[k]);
    return out;
  }

  toJSON(): BaselineParams {
    return {
      kind: 'baseline-biases',
      globalMean: this.globalMean,
      userBias: Array.from(this.userBias),
      itemBias: Array.from(this.itemBias),
      minRating: this.minRating,
      maxRating: this.maxRating,
    };
  }

  static fromJSON(p: BaselineParams): BaselineModel {
    if (p.kind !== 'baseline-biases') throw new Error(`not baseline parameters: ${String(p.kind)}`);
    return new BaselineModel(p.globalMean, Float32Array.from(p.userBias), Float32Array.from(p.itemBias), p.minRating, p.maxRating);
  }
}

export function fitBaseline(data: RatingData, opts: BaselineOptions = {}): BaselineModel {
  const regUser = opts.regUser ?? 10;
  const regItem = opts.regItem ?? 10;
  const iterations = opts.iterations ?? 5;
  const n = data.ratings.length;
  let mu = 0;
  for (let k = 0; k < n; k++) mu += data.ratings[k];
  mu = n ? mu / n : ((opts.minRating ?? 1) + (opts.maxRating ?? 5)) / 2;

  const bu = new Float64Array(data.numUsers);
  const bi = new Float64Array(data.numItems);
  const cu = new Float64Array(data.numUsers);
  const ci = new Float64Array(data.numItems);
  for (let k = 0; k < n; k++) {
    cu[data.userIdx[k]]++;
    ci[data.itemIdx[k]]++;
  }
  const su = new Float64Array(data.numUsers);
  const si = new Float64Array(data.numItems);
  for (let it = 0; it < iterations; it++) {
    si.fill(0);
    for (let k = 0; k < n; k++) si[data.itemIdx[k]] += data.ratings[k] - mu - bu[data.userIdx[k]];
    for (let i = 0; i < bi.length; i++) bi[i] = si[i] / (regItem + ci[i]);
    su.fill(0);
    for (let k = 0; k < n; k++) su[data.userIdx[k]] += data.ratings[k] - mu - bi[data.itemIdx[k]];
    for (let u = 0; u < bu.length; u++) bu[u] = su[u] / (regUser + cu[u]);
  }
  return new BaselineModel(mu, Float32Array.from(bu), Float32Array.from(bi), opts.minRating ?? 1, opts.maxRating ?? 5);
}
