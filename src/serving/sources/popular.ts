// Popular lists, for users the model does not know and before any training: the popular ranking
// (popular-ranking.ts), or the trending-first one when a list asks for it, less what each user rated or
// bought, with products added since the ranking was computed at the prior mean.
import type { Product } from '../../store/catalog.js';
import { PRODUCTS_BY_IDS_OR_NEWER_SQL } from '../../store/sql.js';
import type { ColdUser } from './fresh-users.js';
import type { PopularSnapshot } from './popular-ranking.js';
import type { ListShape, Queryable } from './personalized.js';
import type { RankedProducts, ScoredProduct } from '../types.js';

/** A ranking to serve: the popular one, or the trending-first one (src/rules/trending.ts). */
export type ServedRanking = PopularSnapshot & { reason?: 'TRENDING' };

/** The lists of `users` from `ranking`. */
export async function popularLists(pool: Queryable, users: ColdUser[], ranking: ServedRanking, request: ListShape): Promise<Map<string, RankedProducts>> {
  // A few spare candidates per user stand in for products deleted (or made unavailable) since the ranking
  // was computed; when they are not enough, four times as many are read.
  for (let wanted = request.limit + 5; ; wanted *= 4) {
    const { ranked, short } = await listsOf(pool, users, ranking, request, wanted);
    if (!short) return ranked;
  }
}

/** The lists with `wanted` candidates a user; `short` when a list came out short of products that exist. */
async function listsOf(
  pool: Queryable,
  users: ColdUser[],
  ranking: ServedRanking,
  request: ListShape,
  wanted: number,
): Promise<{ ranked: Map<string, RankedProducts>; short: boolean }> {
  const { after, category } = request;
  const afterScore = after ? Math.fround(after.score) : 0;
  const isAfter = (score: number, id: number) => !after || score < afterScore || (score === afterScore && id < after.productId);
  const picks = users.map((row) => {
    const rated = new Set(row.rated);
    const candidates: { id: number; score: number }[] = [];
    let k = 0;
    for (; k < ranking.productIds.length && candidates.length < wanted; k++) {
      const id = ranking.productIds[k];
      if (!isAfter(ranking.scores[k], id) || rated.has(id) || (category !== null && ranking.categories[k] !== category)) continue;
      candidates.push({ id, score: ranking.scores[k] });
    }
    return { user: row, rated, candidates, exhausted: k === ranking.productIds.length };
  });
  // Products added since the ranking was computed come along in the same statement, at the prior mean.
  const { rows } = await pool.query<Product>({
    name: 'products-by-ids-or-newer',
    text: PRODUCTS_BY_IDS_OR_NEWER_SQL,
    values: [[...new Set(picks.flatMap((p) => p.candidates.map((c) => c.id)))], ranking.watermark],
  });
  const products = new Map(rows.map((row) => [row.id, row]));
  const newer = rows.filter((row) => row.id > ranking.watermark && (category === null || row.category === category));
  const newerScore = Math.fround(ranking.globalMean);
  const ranked = new Map<string, RankedProducts>();
  let short = false;
  for (const { user, rated, candidates, exhausted } of picks) {
    for (const row of newer) if (row.available && !rated.has(row.id) && isAfter(newerScore, row.id)) candidates.push({ id: row.id, score: newerScore });
    if (newer.length > 0) candidates.sort((a, b) => b.score - a.score || b.id - a.id);
    const items: ScoredProduct[] = [];
    for (const { id, score } of candidates) {
      const product = products.get(id);
      if (!product?.available || items.length >= request.limit) continue;
      const shown = shortestFloat4(score);
      items.push({ product, score: shown, rankScore: shown, reason: ranking.reason ?? 'POPULAR' });
    }
    if (items.length < request.limit && !exhausted) short = true;
    ranked.set(user.u_externalId, { userId: user.u_id, externalId: user.u_externalId, items, popularVersion: ranking.version });
  }
  return { ranked, short };
}

/** The shortest decimal that is still the same float4, as PostgreSQL prints a REAL: popular scores then look like matrix scores, and survive a cursor. */
function shortestFloat4(value: number): number {
  for (let digits = 1; digits < 9; digits++) {
    const short = Number(value.toPrecision(digits));
    if (Math.fround(short) === value) return short;
  }
  return value;
}
