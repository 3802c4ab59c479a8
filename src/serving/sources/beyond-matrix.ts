/**
 * Past the end of a top-K matrix. Above MATRIX_MAX_CELLS the matrix keeps each user's best K products,
 * yet `unratedProductScores` promises every unrated product: once a user's stored list is paged past
 * its end, the products it left out are scored now by the active model, best first. The stored list
 * comes first, then these (a cursor says which part it is in), so paging stays stable.
 */
import type pg from 'pg';
import { BEYOND_MATRIX_SQL } from '../../store/sql.js';
import type { LoadedModel } from '../active-model.js';
import type { ProductCache, ProductRef } from '../product-cache.js';
import type { RankCursor, ScoredProduct } from '../types.js';
import { rankRow, seenRankScore } from '../../model/rank-blend.js';

export class BeyondMatrix {
  constructor(
    private readonly pool: pg.Pool,
    private readonly products: ProductCache,
  ) {}

  /** Up to `limit` of what the stored list of user `userId` (internal id; `externalId` in the model) leaves out, after `after`. */
  async page(
    model: LoadedModel,
    user: { userId: number; externalId: string },
    category: string | null,
    after: RankCursor | null,
    limit: number,
  ): Promise<ScoredProduct[]> {
    const u = model.userIndex.get(user.externalId);
    if (u === undefined || limit <= 0) return [];
    const { rows } = await this.pool.query<ProductRef & { externalId: string; seen: boolean }>({
      name: 'beyond-matrix',
      text: BEYOND_MATRIX_SQL,
      values: [user.userId, category],
    });
    // Products the model has not seen are in the stored part already (at the baseline's score).
    const known = rows.filter((row) => model.productIndex.has(row.externalId));
    const items = Int32Array.from(known, (row) => model.productIndex.get(row.externalId)!);
    const ratings = model.model.predictArrays(new Int32Array(items.length).fill(u), items, undefined, false);
    const scores = this.rankScores(
      model,
      u,
      items,
      ratings,
      known.map((row) => row.seen),
    );
    const ranked = known.map((row, k) => ({ row, rankScore: Math.fround(scores[k]), rating: ratings[k] })).filter((r) => r.rankScore > -Infinity);
    ranked.sort((a, b) => b.rankScore - a.rankScore || b.row.id - a.row.id);
    const afterScore = after ? Math.fround(after.score) : 0;
    const page = ranked
      .filter(({ row, rankScore }) => !after || rankScore < afterScore || (rankScore === afterScore && row.id < after.productId))
      .slice(0, limit);
    const products = await this.products.resolve(page.map(({ row }) => row));
    const { minRating, maxRating } = model.model.config;
    return page.flatMap(({ row, rankScore, rating }) => {
      const product = products.get(row.id);
      return product ? [{ product, score: Math.min(maxRating, Math.max(minRating, rating)), rankScore, reason: 'PERSONALIZED' as const }] : [];
    });
  }

  /** The blend of the run (its selection model's pick scores from the user's saved vector, and the ratings). */
  private rankScores(model: LoadedModel, u: number, items: Int32Array, ratings: Float32Array, seen: boolean[]): Float32Array {
    const s = model.selection;
    if (!s) return ratings;
    const { rank, vectors } = s.model;
    const user = s.userVectors.subarray(u * rank, (u + 1) * rank);
    const picks = Float32Array.from(items, (item) => {
      let dot = 0;
      for (let c = 0; c < rank; c++) dot += user[c] * vectors[item * rank + c];
      return dot;
    });
    const out = rankRow(s.blend, picks, ratings, model.model.config, new Float32Array(items.length));
    seen.forEach((isSeen, k) => isSeen && (out[k] = seenRankScore(s.blend, picks[k], ratings[k], model.model.config)));
    return out;
  }
}
