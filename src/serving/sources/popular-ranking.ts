// The popular ranking served to users the model does not know and before any
// training: every product by its Bayesian average rating (events count as implied
// ratings, see PRODUCT_RATING_TOTALS_SQL),
//   (C·m + Σr) / (C + n),
// where m is the mean of all ratings and C the mean number of ratings per rated
// product, so a product with a few 5-star ratings does not outrank one with
// hundreds of 4.5s. It is computed over all ratings in one statement and cached
// for a few seconds (recomputed in the background when stale, so no request
// waits for it after the first); what each user has rated is always excluded
// at read time, so the cache never shows a user something they just rated.
// Each snapshot has a version that cursors carry: a client paging through a
// popular list keeps the snapshot it started on (recent ones are kept), since a
// refresh moves every score (the prior follows all ratings) and a cursor's
// score from one snapshot would skip or repeat products in the next.
import type pg from 'pg';
import type { Logger } from '../../log.js';
import { PRODUCT_RATING_TOTALS_SQL } from '../../store/sql.js';
import { DEFAULT_TRAINING_CONFIG } from '../../model/config.js';

const TTL_MS = 5_000;
/**
 * Snapshots kept for cursors made on them: the last few, none older than this.
 * A client has at least a minute (12 refreshes) to page through one; the count
 * bounds the memory for large catalogs (a snapshot is ~24 bytes per product).
 */
const KEEP_FOR_PAGING_MS = 10 * 60_000;
const KEEP_SNAPSHOTS = 12;

export interface PopularSnapshot {
  /** Internal product ids, best first (score desc, then id desc like the matrix). */
  productIds: Int32Array;
  /** Bayesian averages as float4, aligned with productIds. */
  scores: Float32Array;
  categories: (string | null)[];
  /** The highest product id in the ranking: products above it were added since. */
  watermark: number;
  /** The prior: m and C. */
  globalMean: number;
  priorWeight: number;
  computedAt: number;
  /** Identifies the snapshot in cursors: when it was computed (ms), made unique in this process. */
  version: number;
}

export interface ProductRatingTotals {
  id: number;
  category: string | null;
  n: number;
  total: number;
}

/** The ranking for given totals (pure, so it can be tested by hand). */
export function bayesianRanking(rows: ProductRatingTotals[], fallbackMean: number): Omit<PopularSnapshot, 'computedAt' | 'version'> {
  let ratings = 0;
  let sum = 0;
  let rated = 0;
  for (const row of rows) {
    ratings += row.n;
    sum += row.total;
    if (row.n > 0) rated++;
  }
  const globalMean = ratings > 0 ? sum / ratings : fallbackMean;
  const priorWeight = rated > 0 ? ratings / rated : 1;
  const scored = rows.map((row) => ({
    id: row.id,
    category: row.category,
    score: Math.fround((priorWeight * globalMean + row.total) / (priorWeight + row.n)),
  }));
  scored.sort((a, b) => b.score - a.score || b.id - a.id);
  return {
    productIds: Int32Array.from(scored, (s) => s.id),
    scores: Float32Array.from(scored, (s) => s.score),
    categories: scored.map((s) => s.category),
    watermark: rows.reduce((max, row) => Math.max(max, row.id), 0),
    globalMean,
    priorWeight,
  };
}

export class PopularRanking {
  private snapshot: PopularSnapshot | null = null;
  private pending: Promise<PopularSnapshot> | null = null;
  /** Recent snapshots by version, for cursors made on them. */
  private readonly recent = new Map<number, PopularSnapshot>();
  private lastVersion = 0;

  constructor(
    private readonly pool: pg.Pool,
    /** The rating scale: events count as implied ratings on it, and its middle is m while there are no ratings at all. */
    private readonly scale: { ratingMin: number; ratingMax: number },
    private readonly log: Logger,
  ) {}

  async get(): Promise<PopularSnapshot> {
    const current = this.snapshot;
    if (current && Date.now() - current.computedAt < TTL_MS) return current;
    const refresh = (this.pending ??= this.compute().finally(() => {
      this.pending = null;
    }));
    if (!current) return refresh;
    // Stale: serve it while the new one is computed.
    refresh.catch((error) => this.log.error({ err: error }, 'could not refresh the popular ranking'));
    return current;
  }

  /** The snapshot a cursor was made on, while it is kept; otherwise the current one. */
  async at(version: number | undefined): Promise<PopularSnapshot> {
    return (version !== undefined && this.recent.get(version)) || this.get();
  }

  /** Recompute on next use (tests, and after bulk changes to ratings). */
  invalidate(): void {
    this.snapshot = null;
  }

  private async compute(): Promise<PopularSnapshot> {
    const w = DEFAULT_TRAINING_CONFIG.eventWeights;
    const { ratingMin, ratingMax } = this.scale;
    const { rows } = await this.pool.query<ProductRatingTotals>(PRODUCT_RATING_TOTALS_SQL, [ratingMin, ratingMax, w.view, w.cart, w.wishlist, w.purchase]);
    const computedAt = Date.now();
    // A time, not a counter, so that a cursor made by another instance of the service is not taken
    // for one of ours (it then pages on our current snapshot, as it would without a version).
    this.lastVersion = Math.max(computedAt, this.lastVersion + 1);
    const snapshot = { ...bayesianRanking(rows, (ratingMin + ratingMax) / 2), computedAt, version: this.lastVersion };
    this.snapshot = snapshot;
    this.recent.set(snapshot.version, snapshot);
    for (const [version, kept] of this.recent) {
      // Oldest first (insertion order).
      if (this.recent.size > KEEP_SNAPSHOTS || snapshot.computedAt - kept.computedAt > KEEP_FOR_PAGING_MS) this.recent.delete(version);
    }
    return snapshot;
  }
}
