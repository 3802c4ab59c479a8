/**
 * Rating and ranking metrics (plain TypeScript).
 *
 * Ranking metrics are computed per user over that user's held-out ratings only: the user's held-out
 * products are ranked by predicted score (descending; ties by product index), an item is relevant
 * when its true rating ≥ threshold, and the per-user values are averaged over the users that have at
 * least one relevant held-out item (users with none are skipped: recall and NDCG are undefined).
 *   precision@K = |relevant ∩ top-K| / |top-K|   (|top-K| = min(K, #held-out items of the user))
 *   recall@K    = |relevant ∩ top-K| / |relevant|
 *   NDCG@K      = DCG@K / IDCG@K, binary gains, DCG@K = Σ_{r=1..K} rel_r / log2(r + 1),
 *                 IDCG@K = Σ_{r=1..min(K, |relevant|)} 1 / log2(r + 1)
 */

export function rmse(predictions: ArrayLike<number>, targets: ArrayLike<number>): number {
  checkLengths(predictions, targets);
  if (targets.length === 0) return NaN;
  let s = 0;
  for (let k = 0; k < targets.length; k++) {
    const d = predictions[k] - targets[k];
    s += d * d;
  }
  return Math.sqrt(s / targets.length);
}

export function mae(predictions: ArrayLike<number>, targets: ArrayLike<number>): number {
  checkLengths(predictions, targets);
  if (targets.length === 0) return NaN;
  let s = 0;
  for (let k = 0; k < targets.length; k++) s += Math.abs(predictions[k] - targets[k]);
  return s / targets.length;
}

export interface RankingMetricOptions {
  /** Cut-off (default 10). */
  k?: number;
  /** A held-out rating ≥ threshold is relevant (default 4). */
  threshold?: number;
}

export interface RankingMetrics {
  k: number;
  threshold: number;
  precision: number;
  recall: number;
  ndcg: number;
  /** Users averaged over (those with ≥ 1 relevant held-out item). */
  users: number;
}

export interface HeldOut {
  userIdx: ArrayLike<number>;
  itemIdx: ArrayLike<number>;
  /** True ratings. */
  ratings: ArrayLike<number>;
  /** Predicted scores, aligned with the rows above. */
  predictions: ArrayLike<number>;
}

export function rankingMetrics(h: HeldOut, opts: RankingMetricOptions = {}): RankingMetrics {
  const k = opts.k ?? 10;
  const threshold = opts.threshold ?? 4;
  const n = h.ratings.length;
  if (h.userIdx.length !== n || h.itemIdx.length !== n || h.predictions.length !== n) throw new Error('rankingMetrics: arrays differ in length');
  if (!(k > 0)) throw new Error('rankingMetrics: k must be > 0');

  const byUser = new Map<number, number[]>();
  for (let r = 0; r < n; r++) {
    const u = h.userIdx[r];
    let rows = byUser.get(u);
    if (!rows) byUser.set(u, (rows = []));
    rows.push(r);
  }
  let sp = 0;
  let sr = 0;
  let sn = 0;
  let users = 0;
  for (const rows of byUser.values()) {
    let relevant = 0;
    for (const r of rows) if (h.ratings[r] >= threshold) relevant++;
    if (relevant === 0) continue;
    rows.sort((a, b) => h.predictions[b] - h.predictions[a] || h.itemIdx[a] - h.itemIdx[b]);
    const top = Math.min(k, rows.length);
    let hits = 0;
    let dcg = 0;
    for (let p = 0; p < top; p++) {
      if (h.ratings[rows[p]] >= threshold) {
        hits++;
        dcg += 1 / Math.log2(p + 2);
      }
    }
    let idcg = 0;
    for (let p = 0; p < Math.min(k, relevant); p++) idcg += 1 / Math.log2(p + 2);
    sp += hits / top;
    sr += hits / relevant;
    sn += dcg / idcg;
    users++;
  }
  return {
    k,
    threshold,
    precision: users ? sp / users : NaN,
    recall: users ? sr / users : NaN,
    ndcg: users ? sn / users : NaN,
    users,
  };
}

function checkLengths(a: ArrayLike<number>, b: ArrayLike<number>): void {
  if (a.length !== b.length) throw new Error(`length mismatch: ${a.length} vs ${b.length}`);
}

/**
 * Ranking quality over the whole catalog: each user's top K of every product they had not interacted
 * with in training, against the products held out for them (binary relevance).
 *   precision@K = hits / K, recall@K = hits / |relevant|, NDCG@K as above, averaged over users;
 *   F1@K from the mean precision and recall; hit rate@K = share of users with at least one hit;
 *   coverage = distinct products in anyone's top K / products in the catalog.
 */
export interface CatalogRanking {
  precision: number;
  recall: number;
  f1: number;
  ndcg: number;
  hitRate: number;
  coverage: number;
}

/** Accumulates CatalogRanking one user at a time. */
export class CatalogRankingTally {
  private users = 0;
  private precision = 0;
  private recall = 0;
  private ndcg = 0;
  private hits = 0;
  private readonly shown: Uint8Array;
  /** Each user's NDCG@K, in the order added. */
  readonly userNdcg: number[] = [];

  constructor(
    readonly k: number,
    private readonly catalogSize: number,
  ) {
    this.shown = new Uint8Array(catalogSize);
  }

  /** `top`: the user's list, best first (at most K); `relevant`: their held-out products. */
  add(top: ArrayLike<number>, relevant: ReadonlySet<number>): void {
    this.addHits(
      top,
      Array.from(top, (item) => relevant.has(item)),
      relevant.size,
    );
  }

  /** `top`: the user's list, best first; `hit[r]`: whether its r-th product is relevant, of `relevantCount`. */
  addHits(top: ArrayLike<number>, hit: ArrayLike<boolean>, relevantCount: number): void {
    if (relevantCount === 0) return;
    let hits = 0;
    let dcg = 0;
    for (let r = 0; r < top.length && r < this.k; r++) {
      this.shown[top[r]] = 1;
      if (hit[r]) {
        hits++;
        dcg += 1 / Math.log2(r + 2);
      }
    }
    let idcg = 0;
    for (let r = 0; r < Math.min(this.k, relevantCount); r++) idcg += 1 / Math.log2(r + 2);
    this.users++;
    this.precision += hits / this.k;
    this.recall += hits / relevantCount;
    this.ndcg += dcg / idcg;
    this.userNdcg.push(dcg / idcg);
    if (hits > 0) this.hits++;
  }

  result(): CatalogRanking {
    const n = this.users;
    const precision = n ? this.precision / n : NaN;
    const recall = n ? this.recall / n : NaN;
    let shown = 0;
    for (let i = 0; i < this.shown.length; i++) shown += this.shown[i];
    return {
      precision,
      recall,
      f1: precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0,
      ndcg: n ? this.ndcg / n : NaN,
      hitRate: n ? this.hits / n : NaN,
      coverage: this.catalogSize ? shown / this.catalogSize : 0,
    };
  }
}

/** The `k` best of `scores` (descending; ties to the lower index), skipping `excluded[j]` ≠ 0. */
export function topK(scores: ArrayLike<number>, k: number, excluded?: Uint8Array): number[] {
  const best: number[] = [];
  for (let j = 0; j < scores.length; j++) {
    if (excluded?.[j]) continue;
    const s = scores[j];
    if (best.length === k) {
      if (!(s > scores[best[k - 1]])) continue;
      best.pop();
    }
    let at = best.length;
    while (at > 0 && s > scores[best[at - 1]]) at--;
    best.splice(at, 0, j);
  }
  return best;
}
