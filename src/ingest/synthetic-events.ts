// A synthetic shop that only has purchase history (and views): shoppers belong to hidden segments and
// mostly buy their segment's products, popular ones more often, so a model that learns who buys what
// beats the best sellers; a demo and the tests of implicit feedback run on it.
import { mulberry32 } from '../model/rng.js';
import type { EventRow } from './types.js';

export interface PurchaseShopOptions {
  users: number;
  products: number;
  /** Purchases per user (each preceded by a view of the product). */
  purchasesPerUser: number;
  /** Hidden segments; a user buys in their own with probability `loyalty`. */
  segments: number;
  loyalty?: number;
  seed: number;
  /** The first event's time; they spread over 60 days after it. */
  start?: Date;
}

/** User ids "u1".., product ids "p1"..; events in time order per user. */
export function generatePurchaseShop(options: PurchaseShopOptions): EventRow[] {
  const { users, products, purchasesPerUser, segments, seed } = options;
  const loyalty = options.loyalty ?? 0.85;
  const rng = mulberry32(seed);
  const start = (options.start ?? new Date(Date.UTC(2026, 8, 1))).getTime();
  const span = 60 * 86_400_000;
  // Zipf-like popularity: product p's weight falls with its rank within the catalog.
  const weight = Float64Array.from({ length: products }, (_, p) => 1 / Math.pow(1 + Math.floor(p / segments), 0.8));
  const bySegment = Array.from({ length: segments }, (_, s) => Array.from({ length: products }, (_, p) => p).filter((p) => p % segments === s));
  const pick = (pool: number[]) => {
    let total = 0;
    for (const p of pool) total += weight[p];
    let at = rng() * total;
    for (const p of pool) if ((at -= weight[p]) <= 0) return p;
    return pool[pool.length - 1];
  };
  const everything = Array.from({ length: products }, (_, p) => p);
  const events: EventRow[] = [];
  for (let u = 0; u < users; u++) {
    const segment = u % segments;
    const bought = new Set<number>();
    const times = Array.from({ length: purchasesPerUser }, () => start + Math.floor(rng() * span)).sort((a, b) => a - b);
    for (const time of times) {
      let p = pick(rng() < loyalty ? bySegment[segment] : everything);
      for (let tries = 0; bought.has(p) && tries < 20; tries++) p = pick(rng() < loyalty ? bySegment[segment] : everything);
      if (bought.has(p)) continue;
      bought.add(p);
      const userId = `u${u + 1}`;
      const productId = `p${p + 1}`;
      events.push({ userId, productId, type: 'view', timestamp: new Date(time - 3_600_000) });
      events.push({ userId, productId, type: 'purchase', timestamp: new Date(time) });
    }
  }
  return events;
}
