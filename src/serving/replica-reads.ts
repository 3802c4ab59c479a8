// Serving reads on a streaming replica (DATABASE_READ_URLS), which may not have the last seconds of
// writes yet: what the users rated in that time comes from the primary and is left out of their lists
// (read-your-writes for exclusions), and a user the replica does not know yet is ranked on the primary.
import type pg from 'pg';
import { RECENTLY_RATED_SQL } from '../store/sql.js';
import type { ReadReplicas } from '../store/read-replicas.js';
import type { RankedProducts } from './types.js';

/** Ratings this much older than a replica's lag limit are surely on it: newer ones are read from the primary. */
const RECENT_MARGIN_S = 5;

type Rank = (pool: pg.Pool, externalIds: readonly string[], limit: number) => Promise<Map<string, RankedProducts>>;

export async function rankOnReplica(
  primary: pg.Pool,
  replica: pg.Pool,
  replicas: ReadReplicas,
  externalIds: readonly string[],
  limit: number,
  rank: Rank,
): Promise<Map<string, RankedProducts>> {
  const recent = await recentlyRated(primary, replicas.maxLagSeconds + RECENT_MARGIN_S, externalIds);
  const extra = Math.max(0, ...[...recent.values()].map((rated) => rated.size));
  const ranked = await rank(replica, externalIds, limit + extra);
  const missing = externalIds.filter((id) => !ranked.has(id));
  if (missing.length > 0) for (const [id, entry] of await rank(primary, missing, limit)) ranked.set(id, entry);
  for (const [id, entry] of ranked) {
    const rated = recent.get(id);
    const items = rated ? entry.items.filter((item) => !rated.has(item.product.id)) : entry.items;
    entry.items = items.slice(0, limit);
  }
  return ranked;
}

/** Product ids each user rated within the last `seconds`, from the primary. */
async function recentlyRated(primary: pg.Pool, seconds: number, externalIds: readonly string[]): Promise<Map<string, Set<number>>> {
  const { rows } = await primary.query<{ externalId: string; productId: number }>({
    name: 'recently-rated',
    text: RECENTLY_RATED_SQL,
    values: [externalIds, seconds],
  });
  const recent = new Map<string, Set<number>>();
  for (const { externalId, productId } of rows) {
    let set = recent.get(externalId);
    if (!set) recent.set(externalId, (set = new Set()));
    set.add(productId);
  }
  return recent;
}
