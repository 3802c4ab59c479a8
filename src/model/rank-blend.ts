// What a list is ordered by: the selection model's pick score (will the shopper pick it?) and the ranking
// network's predicted rating (will they like it?), blended by weights each run chooses on its validation
// split for NDCG@10 (src/training/blend-selection.ts) and calibrated there as the log-odds that a product
// is one the shopper picks and rates well. The rank score is that probability on the rating scale, so that
// promotions can multiply it and trending add to it as they did to predicted ratings.

export interface RankBlend {
  /** Log-odds per unit of pick score. */
  pick: number;
  /** Log-odds per unit of predicted rating above `ratingMean`. */
  rating: number;
  ratingMean: number;
  /** Log-odds added for a product the shopper interacted with and may be shown again (viewed, carted); null: never shown again. */
  seen: number | null;
  offset: number;
}

export function rankLogit(blend: RankBlend, pick: number, rating: number, seen = false): number {
  return blend.pick * pick + blend.rating * (rating - blend.ratingMean) + blend.offset + (seen ? (blend.seen ?? 0) : 0);
}

/** The rank score of a log-odds: minRating + (maxRating − minRating)·σ(logit), stored as float4 like the matrix. */
export function rankScore(logit: number, scale: { minRating: number; maxRating: number }): number {
  return Math.fround(scale.minRating + (scale.maxRating - scale.minRating) / (1 + Math.exp(-logit)));
}

/**
 * A user's rank scores into `out`: from their pick scores and predicted ratings (aligned with each other),
 * or, without a blend (a run without a selection model), the predicted ratings themselves.
 */
export function rankRow(
  blend: RankBlend | null,
  picks: ArrayLike<number> | null,
  ratings: ArrayLike<number>,
  scale: { minRating: number; maxRating: number },
  out: Float32Array,
): Float32Array {
  if (!blend) {
    for (let j = 0; j < ratings.length; j++) out[j] = ratings[j];
    return out;
  }
  const span = scale.maxRating - scale.minRating;
  for (let j = 0; j < ratings.length; j++) {
    const logit = blend.pick * (picks ? picks[j] : 0) + blend.rating * (ratings[j] - blend.ratingMean) + blend.offset;
    out[j] = scale.minRating + span / (1 + Math.exp(-logit));
  }
  return out;
}

/** The rank score of a product the shopper interacted with and may be shown again; -Infinity when the blend never shows it. */
export function seenRankScore(blend: RankBlend | null, pick: number, rating: number, scale: { minRating: number; maxRating: number }): number {
  if (!blend) return rating;
  if (blend.seen === null) return -Infinity;
  return rankScore(rankLogit(blend, pick, rating, true), scale);
}
