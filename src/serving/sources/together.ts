// "Customers who bought this also bought" and "viewed together": products the same shoppers bought (or
// viewed) close in time to this one, each pair weighted by how close (halved every halfLifeMinutes, within
// windowHours), read live from the events, a product's pairs kept for a few seconds (availability is
// checked on every answer). A list short of `first` is filled from the popular ranking (reason POPULAR).
import type pg from 'pg';
import { LRUCache } from 'lru-cache';
import type { Product } from '../../store/catalog.js';
import { AVAILABLE_VERSIONS_SQL, PRODUCTS_BY_IDS_SQL, TOGETHER_SQL } from '../../store/sql.js';
import type { ProductCache, ProductRef } from '../product-cache.js';
import type { ScoredProduct } from '../types.js';
import type { PopularSnapshot } from './popular-ranking.js';

export type TogetherKind = 'purchase' | 'view';

export interface TogetherOptions {
  windowHours: number;
  halfLifeMinutes: number;
}

/** Events on the product the pairs are counted from, latest first: a bound on a best seller's cost. */
const ANCHORS = 2_000;
/** How long an answer is reused. */
const TTL_MS = 10_000;
const MAX_LIST = 100;

export class TogetherLists {
  private readonly cache = new LRUCache<string, { id: number; score: number }[]>({ max: 10_000, ttl: TTL_MS });

  constructor(
    private readonly pool: pg.Pool,
    private readonly products: ProductCache,
    private readonly options: TogetherOptions,
  ) {}

  /** Up to `first` products done together with `product` (`kind`), strongest first, then popular ones. */
  async list(product: Product, kind: TogetherKind, first: number, popular: PopularSnapshot): Promise<ScoredProduct[]> {
    const key = `${kind}:${product.id}`;
    let pairs = this.cache.get(key);
    if (!pairs) {
      const { rows } = await this.pool.query<{ id: number; weight: number; anchors: number }>({
        name: 'together',
        text: TOGETHER_SQL,
        values: [product.id, kind, this.options.halfLifeMinutes * 60, this.options.windowHours * 3600, ANCHORS, MAX_LIST],
      });
      pairs = rows.map((row) => ({ id: row.id, score: row.weight / Math.max(1, row.anchors) }));
      this.cache.set(key, pairs);
    }
    // The products as they are now: one taken out of the catalog since the pairs were read is left out at once.
    const { rows: current } = await this.pool.query<ProductRef>({ name: 'available-versions', text: AVAILABLE_VERSIONS_SQL, values: [pairs.map((p) => p.id)] });
    const found = await this.products.resolve(current);
    const reason = kind === 'purchase' ? 'BOUGHT_TOGETHER' : 'VIEWED_TOGETHER';
    const items: ScoredProduct[] = [];
    for (const pair of pairs) {
      const shown = found.get(pair.id);
      if (shown?.available && items.length < first) items.push({ product: shown, score: pair.score, rankScore: pair.score, reason });
    }
    if (items.length < first) items.push(...(await this.popularFill(product, items, first - items.length, popular)));
    return items;
  }

  /** `n` of the popular ranking's products that are not `product` and not in `items`. */
  private async popularFill(product: Product, items: ScoredProduct[], n: number, popular: PopularSnapshot): Promise<ScoredProduct[]> {
    const taken = new Set([product.id, ...items.map((item) => item.product.id)]);
    const ids: number[] = [];
    const scores = new Map<number, number>();
    for (let k = 0; k < popular.productIds.length && ids.length < n + 10; k++) {
      const id = popular.productIds[k];
      if (taken.has(id)) continue;
      ids.push(id);
      scores.set(id, popular.scores[k]);
    }
    const { rows: read } = await this.pool.query<Product>({ name: 'products-by-ids', text: PRODUCTS_BY_IDS_SQL, values: [ids] });
    const rows = new Map(read.map((row) => [row.id, row]));
    const fill: ScoredProduct[] = [];
    for (const id of ids) {
      const shown = rows.get(id);
      if (shown?.available && fill.length < n) fill.push({ product: shown, score: scores.get(id)!, rankScore: scores.get(id)!, reason: 'POPULAR' });
    }
    return fill;
  }
}
