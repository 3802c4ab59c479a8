// How a run's lists are ranked, chosen on its validation split: for each held-out user, every product the
// API would show them is ranked by the selection model's pick score (the autoencoder's, with the low-pass
// filter's added in one of a few measures), by the network's predicted rating, and by blends of the two
// (and, where a shopper may be shown a product again that they viewed or carted, with that counted for or
// against it); the blend whose top 10 catch the most held-out products (NDCG@10) is
// what the run serves, calibrated as log-odds on the same candidates. Popularity and the baseline are
// measured on the same users, so the run can be refused when its lists are no better than the obvious.
import type { RankBlend } from '../model/rank-blend.js';
import { CatalogRankingTally, topK, type CatalogRanking } from '../model/metrics.js';

/** Products a user's blend is searched over: the best of each score (a blend's top 10 lies among them). */
const CANDIDATES_PER_SCORE = 100;
/** Blend directions between pick score alone (0°) and predicted rating alone (90°). */
const DIRECTIONS = Array.from({ length: 19 }, (_, k) => (k * 5 * Math.PI) / 180);
/** What a seen product's blend gets, in standard deviations of the blend (null: never shown again). */
const SEEN = [null, -2, -1, 0, 1] as const;
/** How much worse than the best blend's NDCG@10 (a share of it) a blend that leans less on the rating may be, within noise. */
const TOLERANCE = 0.02;
/** The low-pass filter's weight in the pick score, in standard deviations of its scores per one of the autoencoder's. */
const MIXES = [0, 0.2];

export interface UserRows {
  /** The user's model index. */
  user: number;
  /** Predicted rating of every product. */
  ratings: Float32Array;
  /** Pick score of every product: the autoencoder's, then the low-pass filter's where the run has one. */
  picks: Float32Array[];
}

export interface ValidationUser {
  /** Products the API leaves out of their lists (rated, bought). */
  excluded: ArrayLike<number>;
  /** Products they interacted with that the API may show again (viewed, carted, wishlisted). */
  seen: ArrayLike<number>;
  /** Their held-out products that count as hits. */
  relevant: ReadonlySet<number>;
}

interface Candidates {
  items: Int32Array;
  ratings: Float32Array;
  /** The pick score's components, as UserRows.picks. */
  components: Float32Array[];
  /** The pick score of each mix tried (filled by the search). */
  picks: Float32Array[];
  seen: Uint8Array;
  hits: Uint8Array;
  relevantCount: number;
}

export interface BlendSearchResult {
  /** The low-pass filter's weight per unit of the autoencoder's pick score (0 without one). */
  lowPassWeight: number;
  blend: RankBlend;
  /** The blend's direction: 0° pick score alone, 90° predicted rating alone. */
  degrees: number;
  /** NDCG@10 of each weight of the low-pass filter tried (in its standard deviations), at its best blend. */
  mixes: { weight: number; ndcg: number }[];
  lists: { served: CatalogRanking; network: CatalogRanking; selection: CatalogRanking };
}

/** Gathers each user's candidates from their rows (rows may be dropped afterwards). */
export class BlendSearch {
  private readonly candidates: Candidates[] = [];
  private readonly mark: Uint8Array;

  constructor(
    readonly numItems: number,
    /** Rows of pick scores per user: 0 (the network alone), 1 (the autoencoder) or 2 (and the low-pass filter). */
    readonly components: number,
    readonly k = 10,
  ) {
    this.mark = new Uint8Array(numItems);
  }

  add(rows: UserRows, user: ValidationUser): void {
    const { mark } = this;
    for (let j = 0; j < user.excluded.length; j++) mark[user.excluded[j]] = 1;
    const chosen = new Set<number>();
    for (const scores of [rows.ratings, ...rows.picks]) for (const item of topK(scores, CANDIDATES_PER_SCORE, mark)) chosen.add(item);
    for (let j = 0; j < user.excluded.length; j++) mark[user.excluded[j]] = 0;
    for (let j = 0; j < user.seen.length; j++) {
      chosen.add(user.seen[j]);
      mark[user.seen[j]] = 1;
    }
    const items = Int32Array.from(chosen);
    const c: Candidates = {
      items,
      ratings: Float32Array.from(items, (i) => rows.ratings[i]),
      components: rows.picks.map((row) => Float32Array.from(items, (i) => row[i])),
      picks: [],
      seen: Uint8Array.from(items, (i) => mark[i]),
      hits: Uint8Array.from(items, (i) => (user.relevant.has(i) ? 1 : 0)),
      relevantCount: user.relevant.size,
    };
    for (let j = 0; j < user.seen.length; j++) mark[user.seen[j]] = 0;
    this.candidates.push(c);
  }

  get users(): number {
    return this.candidates.length;
  }

  /**
   * The blend to serve, and its lists' metrics. A direction is judged by its NDCG@10 and its two neighbours'
   * (a validation split's curve is flat within noise near its peak); of the blends within one standard error
   * of the best (per-user differences, paired) and 2 % of it, the one that moves least toward the rating is served
   * (Breiman's one-standard-error rule, bounded: on MovieLens the peak of a flat curve wandered to 20–25° on noise
   * and ranked worse on held-out data than the plateau's edge; on a small shop a standard error spans far worse lists).
   */
  search(): BlendSearchResult {
    const weights = this.mixPicks();
    const stats = this.normalizers(weights.length);
    const anySeen = this.candidates.some((c) => c.seen.some((s) => s === 1));
    const tried: { mix: number; seen: number | null; direction: number; ndcg: number; smoothed: number; users: number[] }[] = [];
    for (let mix = 0; mix < weights.length; mix++) {
      for (const seen of anySeen ? SEEN : [null]) {
        const curve = DIRECTIONS.map((direction) => this.tally(mix, stats, direction, seen));
        const ndcgs = curve.map((t) => t.result().ndcg);
        curve.forEach((tally, d) => {
          const around = ndcgs.slice(Math.max(0, d - 1), d + 2);
          const smoothed = around.reduce((a, b) => a + b, 0) / around.length;
          tried.push({ mix, seen, direction: DIRECTIONS[d], ndcg: ndcgs[d], smoothed, users: tally.userNdcg });
        });
      }
    }
    const best = tried.reduce((a, b) => (b.smoothed > a.smoothed + 1e-9 ? b : a));
    const { mix, direction, seen } = tried
      .filter((t) => t.direction <= best.direction && best.ndcg - t.ndcg <= Math.min(TOLERANCE * best.ndcg, pairedStandardError(best.users, t.users)))
      .reduce((a, b) => (b.direction < a.direction || (b.direction === a.direction && b.smoothed > a.smoothed) ? b : a));
    const blend = this.calibrate(mix, stats, direction, seen);
    return {
      lowPassWeight: weights[mix],
      blend,
      degrees: Math.round((direction * 180) / Math.PI),
      mixes: weights.map((_, m) => ({ weight: MIXES[m], ndcg: Math.max(...tried.filter((t) => t.mix === m).map((t) => t.ndcg)) })),
      lists: {
        served: this.tally(mix, stats, direction, seen).result(),
        network: this.tally(mix, stats, Math.PI / 2, null).result(),
        selection: this.tally(mix, stats, 0, null).result(),
      },
    };
  }

  /** Each candidate's pick score for every mix tried; the low-pass filter's weight per unit of the autoencoder's score for each. */
  private mixPicks(): number[] {
    if (this.components < 2) {
      for (const c of this.candidates) c.picks = c.components.slice(0, 1);
      return [0];
    }
    const sd = [0, 1].map((p) => this.moments((c) => c.components[p]).sd);
    const weights = MIXES.map((mix) => (mix * sd[0]) / sd[1]);
    for (const c of this.candidates) c.picks = weights.map((w) => Float32Array.from(c.components[0], (v, j) => v + w * c.components[1][j]));
    return weights;
  }

  private moments(values: (c: Candidates) => Float32Array) {
    let n = 0;
    let sum = 0;
    let squares = 0;
    for (const c of this.candidates) for (const v of values(c)) n++, (sum += v), (squares += v * v);
    const mean = n ? sum / n : 0;
    return { mean, sd: Math.sqrt(Math.max(1e-12, n ? squares / n - mean * mean : 1)) };
  }

  /** Means and standard deviations of the pick scores (per mix) and ratings over all candidates. */
  private normalizers(mixes: number) {
    return { rating: this.moments((c) => c.ratings), picks: Array.from({ length: mixes }, (_, m) => this.moments((c) => c.picks[m])) };
  }

  /** The lists by predicted rating alone (a run without a selection model): served and network alike. */
  ratingOnly(): { served: CatalogRanking; network: CatalogRanking } {
    const network = this.tally(null, this.normalizers(0), Math.PI / 2, null).result();
    return { served: network, network };
  }

  private blendOf(m: number | null, stats: ReturnType<BlendSearch['normalizers']>, direction: number) {
    return { pick: m === null ? 0 : Math.cos(direction) / stats.picks[m].sd, rating: Math.sin(direction) / stats.rating.sd, ratingMean: stats.rating.mean };
  }

  /** The lists of one blend; `seen` in standard deviations of the blend, null leaving seen products out. */
  private tally(m: number | null, stats: ReturnType<BlendSearch['normalizers']>, direction: number, seen: number | null): CatalogRankingTally {
    const w = this.blendOf(m, stats, direction);
    const tally = new CatalogRankingTally(this.k, this.numItems);
    for (const c of this.candidates) {
      const value = new Float32Array(c.items.length);
      for (let j = 0; j < value.length; j++) {
        value[j] = (m === null ? 0 : w.pick * c.picks[m][j]) + w.rating * (c.ratings[j] - w.ratingMean);
        if (c.seen[j]) value[j] = seen === null ? -Infinity : value[j] + seen;
      }
      const top = topK(value, this.k).filter((j) => value[j] > -Infinity);
      tally.addHits(
        Array.from(top, (j) => c.items[j]),
        Array.from(top, (j) => c.hits[j] === 1),
        c.relevantCount,
      );
    }
    return tally;
  }

  /** The chosen blend as log-odds of a hit: a logistic fit of scale and offset on every candidate. */
  private calibrate(m: number, stats: ReturnType<BlendSearch['normalizers']>, direction: number, seen: number | null): RankBlend {
    const w = this.blendOf(m, stats, direction);
    const xs: number[] = [];
    const ys: number[] = [];
    for (const c of this.candidates) {
      for (let j = 0; j < c.items.length; j++) {
        if (c.seen[j] && seen === null) continue;
        xs.push(w.pick * c.picks[m][j] + w.rating * (c.ratings[j] - w.ratingMean) + (c.seen[j] ? (seen ?? 0) : 0));
        ys.push(c.hits[j]);
      }
    }
    const { scale, offset } = logisticFit(xs, ys);
    return { pick: scale * w.pick, rating: scale * w.rating, ratingMean: w.ratingMean, seen: seen === null ? null : scale * seen, offset };
  }
}

/** The standard error of the mean of a − b over users (the same users, in the same order). */
export function pairedStandardError(a: readonly number[], b: readonly number[]): number {
  const n = a.length;
  if (n < 2) return 0;
  let sum = 0;
  let squares = 0;
  for (let j = 0; j < n; j++) {
    const d = a[j] - b[j];
    sum += d;
    squares += d * d;
  }
  const mean = sum / n;
  return Math.sqrt(Math.max(0, squares / n - mean * mean) / (n - 1));
}

/** Scale a and offset b of P(y = 1) = σ(a·x + b): Newton's method with step halving, and a little L2 on a − 1. */
export function logisticFit(xs: ArrayLike<number>, ys: ArrayLike<number>): { scale: number; offset: number } {
  const n = xs.length;
  const reg = 1e-3 * Math.max(1, n);
  const loss = (a: number, b: number) => {
    let l = 0.5 * reg * (a - 1) ** 2;
    for (let j = 0; j < n; j++) {
      const z = a * xs[j] + b;
      l += Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z))) - ys[j] * z;
    }
    return l;
  };
  let a = 1;
  let b = 0;
  let current = loss(a, b);
  for (let it = 0; it < 50; it++) {
    let ga = reg * (a - 1);
    let gb = 0;
    let haa = reg;
    let hab = 0;
    let hbb = 1e-6 * Math.max(1, n);
    for (let j = 0; j < n; j++) {
      const p = 1 / (1 + Math.exp(-(a * xs[j] + b)));
      const r = p - ys[j];
      const h = p * (1 - p);
      ga += r * xs[j];
      gb += r;
      haa += h * xs[j] * xs[j];
      hab += h * xs[j];
      hbb += h;
    }
    const det = haa * hbb - hab * hab;
    if (!(det > 0)) break;
    const da = (hbb * ga - hab * gb) / det;
    const db = (haa * gb - hab * ga) / det;
    let step = 1;
    let next = loss(a - da, b - db);
    while (!(next <= current) && step > 1e-6) {
      step /= 2;
      next = loss(a - step * da, b - step * db);
    }
    if (!(next <= current)) break;
    a -= step * da;
    b -= step * db;
    const gain = current - next;
    current = next;
    if (gain < 1e-9 * Math.max(1, Math.abs(current))) break;
  }
  return { scale: a, offset: b };
}
