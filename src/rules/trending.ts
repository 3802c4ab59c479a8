// What is trending: each product's events of the last TRENDING_WINDOW_DAYS, weighted by kind (the training
// defaults' eventWeights) and halved every TRENDING_HALF_LIFE_DAYS of age, scaled so the hottest is 1.
// Recomputed in the background once a minute; blended into personalized lists that ask for it
// (apply-rules.ts), and put first in the popular ranking of users new to the model (trendingFirst).
import type pg from 'pg';
import type { Logger } from '../log.js';
import { DEFAULT_TRAINING_CONFIG } from '../model/config.js';
import { TRENDING_SQL } from '../store/sql.js';
import type { PopularSnapshot } from '../serving/sources/popular-ranking.js';

const TTL_MS = 60_000;

export interface TrendingOptions {
  halfLifeDays: number;
  windowDays: number;
}

export class TrendingRanking {
  private snapshot: { at: number; heat: Map<number, number>; ranked: number[] } | null = null;
  private pending: Promise<void> | null = null;

  constructor(
    private readonly pool: pg.Pool,
    private readonly options: TrendingOptions,
    private readonly log: Logger,
  ) {}

  /** Product id → heat in (0, 1], and the product ids hottest first. */
  async get(): Promise<{ heat: Map<number, number>; ranked: number[] }> {
    const current = this.snapshot;
    if (current && Date.now() - current.at < TTL_MS) return current;
    const refresh = (this.pending ??= this.compute().finally(() => (this.pending = null)));
    if (!current) await refresh;
    else refresh.catch((error) => this.log.warn({ err: error }, 'could not recompute the trending products; the last ones are used'));
    return this.snapshot!;
  }

  private async compute(): Promise<void> {
    const w = DEFAULT_TRAINING_CONFIG.eventWeights;
    const { rows } = await this.pool.query<{ id: number; heat: number }>({
      name: 'trending',
      text: TRENDING_SQL,
      values: [this.options.halfLifeDays * 86_400, this.options.windowDays * 86_400, w.view, w.cart, w.wishlist, w.purchase],
    });
    const top = rows.length > 0 ? rows[0].heat : 1;
    this.snapshot = { at: Date.now(), heat: new Map(rows.map((r) => [r.id, r.heat / top])), ranked: rows.map((r) => r.id) };
  }

  invalidate(): void {
    this.snapshot = null;
  }
}

/**
 * The popular ranking with the trending products moved to its head, hottest first (shown with their
 * popular scores). Products added since are not in it: they have no events yet.
 */
export function trendingFirst(popular: PopularSnapshot, trending: { heat: Map<number, number>; ranked: number[] }): PopularSnapshot & { reason: 'TRENDING' } {
  const at = new Map<number, number>();
  popular.productIds.forEach((id, k) => at.set(id, k));
  const order = [...trending.ranked.filter((id) => at.has(id)), ...Array.from(popular.productIds).filter((id) => !trending.heat.has(id))];
  return {
    ...popular,
    productIds: Int32Array.from(order),
    scores: Float32Array.from(order, (id) => popular.scores[at.get(id)!]),
    categories: order.map((id) => popular.categories[at.get(id)!]),
    watermark: 2 ** 31 - 1,
    reason: 'TRENDING',
  };
}
