// Each user's row of the matrix as the lists are served: the predicted ratings blended with the selection
// model's pick scores (src/model/rank-blend.ts), and what the user viewed or carted counted as the run's
// blend says.
import { rankRow, seenRankScore } from '../../model/rank-blend.js';
import type { OnnxScorer } from '../../model/onnx/onnx-scorer.js';
import type { DenseOps } from '../../model/selection/dense-ops.js';
import type { SavedSelection } from '../../model/selection/selection-artifacts.js';
import { topIndices } from '../../model/top-k.js';
import { ratedBy, seenBy, type MatrixTargets } from '../dataset.js';
import type { ServedOrder } from '../retrieval.js';

/**
 * Each user's row of the matrix from their predicted ratings: their pick scores (from the users' vectors
 * saved with the run's selection model), the blend, and what they viewed or carted counted as the blend says.
 */
export class ListRows {
  private readonly position = new Map<number, number>();
  /** The last two blocks of pick rows, by user: candidates are ranked in the order retrieval read them in. */
  private readonly recentPicks: Map<number, Float32Array>[] = [];

  constructor(
    private readonly targets: MatrixTargets,
    private readonly selection: SavedSelection | null,
    private readonly scale: { minRating: number; maxRating: number },
    private readonly ops: DenseOps,
  ) {
    targets.productIds.forEach((id, j) => id >= 0 && this.position.set(id, j));
  }

  /** Pick scores of every model product for `users`: [users.length × model products], or null without a selection model. */
  async picks(users: Int32Array): Promise<Float32Array | null> {
    const s = this.selection;
    if (!s) return null;
    const { rank, numItems } = s.model;
    const vectors = new Float32Array(users.length * rank);
    users.forEach((u, r) => vectors.set(s.userVectors.subarray(u * rank, (u + 1) * rank), r * rank));
    const rows = rank === 0 ? new Float32Array(users.length * numItems) : await this.ops.dots(vectors, s.model.vectors, users.length, rank, numItems);
    this.recentPicks.unshift(new Map(Array.from(users, (u, r) => [u, rows.subarray(r * numItems, (r + 1) * numItems)])));
    this.recentPicks.length = Math.min(2, this.recentPicks.length);
    return rows;
  }

  /** The served order as candidate retrieval needs it (../retrieval.ts), ratings from `scorer`. */
  servedOrder(scorer: OnnxScorer): ServedOrder {
    const { known } = this.targets;
    return {
      topPicks: async (users, count) => {
        const picks = await this.picks(users);
        if (!picks) return null;
        const numItems = picks.length / users.length;
        return Array.from(users, (u, r) => {
          const row = picks.slice(r * numItems, (r + 1) * numItems);
          // What the user rated or bought takes no candidate's place.
          for (const id of ratedBy(this.targets.rated, u)) {
            const j = this.position.get(id);
            if (j !== undefined && j < known) row[j] = -Infinity;
          }
          return topIndices(row, count);
        });
      },
      exhaustive: async (u) => {
        const users = Int32Array.of(u);
        const ratings = new Float32Array(this.targets.productIds.length);
        ratings.set(await scorer.block(users));
        const out = new Float32Array(ratings.length);
        this.rank(u, await this.picks(users), ratings, out);
        for (const id of ratedBy(this.targets.rated, u)) {
          const j = this.position.get(id);
          if (j !== undefined) out[j] = -Infinity;
        }
        for (let j = 0; j < known; j++) if (this.targets.productIds[j] < 0) out[j] = -Infinity;
        return out.subarray(0, known);
      },
    };
  }

  /** Rank scores of user `u` over every product (aligned with targets.productIds) into `out`. */
  rank(u: number, picks: Float32Array | null, ratings: Float32Array, out: Float32Array): void {
    const blend = this.selection?.blend ?? null;
    const known = this.targets.known;
    rankRow(blend, picks, ratings.subarray(0, known), this.scale, out);
    // Products the model has not seen: no pick score yet.
    rankRow(blend, null, ratings.subarray(known), this.scale, out.subarray(known));
    for (const id of seenBy(this.targets, u)) {
      const j = this.position.get(id);
      if (j !== undefined) out[j] = seenRankScore(blend, picks && j < known ? picks[j] : 0, ratings[j], this.scale);
    }
  }

  /** Rank scores of user `u`'s candidates (model indices `items`, then products the model has not seen; `productIds` their internal ids). */
  rankCandidates(u: number, items: Int32Array, productIds: Int32Array, ratings: Float32Array): Float32Array {
    const s = this.selection;
    const picks = new Float32Array(productIds.length);
    const row = this.recentPicks.find((block) => block.has(u))?.get(u);
    if (row) for (let j = 0; j < items.length; j++) picks[j] = row[items[j]];
    else if (s && s.model.rank > 0) {
      const { rank, vectors } = s.model;
      const user = s.userVectors.subarray(u * rank, (u + 1) * rank);
      for (let j = 0; j < items.length; j++) {
        let dot = 0;
        const at = items[j] * rank;
        for (let c = 0; c < rank; c++) dot += user[c] * vectors[at + c];
        picks[j] = dot;
      }
    }
    const out = rankRow(s?.blend ?? null, picks, ratings, this.scale, new Float32Array(productIds.length));
    const seen = seenBy(this.targets, u);
    if (seen.length > 0) {
      const at = new Map<number, number>();
      productIds.forEach((id, j) => at.set(id, j));
      for (const id of seen) {
        const j = at.get(id);
        if (j !== undefined) out[j] = seenRankScore(s?.blend ?? null, picks[j], ratings[j], this.scale);
      }
    }
    return out;
  }
}
