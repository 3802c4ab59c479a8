// What the serving layer hands the API: plain rows and numbers, no GraphQL.
import type { User, Product } from '../store/catalog.js';
import type { Connection } from '../api/pagination.js';

export type RecommendationReason = 'PERSONALIZED' | 'POPULAR' | 'TRENDING' | 'FOLDED_IN' | 'FEATURES' | 'BOUGHT_TOGETHER' | 'VIEWED_TOGETHER';

export interface ScoredProduct {
  product: Product;
  /** The predicted rating shown: within the rating range. */
  score: number;
  /**
   * What the list is ordered by, float4 exactly as stored so that it round-trips through cursors:
   * the matrix's unclipped prediction (above the top rating for some products), else the score.
   */
  rankScore: number;
  reason: RecommendationReason;
  /** A promotion in force raised it in its list (src/rules). */
  boosted?: boolean;
}

/** A product of a page of unrated scores; `beyond`: scored now, past the end of a top-K matrix's stored list. */
export interface UnratedScore extends ScoredProduct {
  beyond: boolean;
}

export interface Recommendation extends ScoredProduct {
  rank: number;
  boosted: boolean;
}

/** One user's list as ranked for the API, with what served it (for attribution). */
export interface RecommendationList {
  items: Recommendation[];
  /** The model the request was answered with (the items' reasons say whether it ranked them). */
  runId: number | null;
  /** The experiment variant the user was in, if one was served (src/experiments). */
  experiment: { id: number; variant: string } | null;
}

/** A recommendation as the API answers it: with the id of the list it was served in (src/attribution). */
export interface ServedRecommendation extends Recommendation {
  recommendationId: string;
  position: number;
}

export interface UserRecommendations {
  user: User;
  recommendations: Recommendation[];
}

/** A position in a user's ranking: everything strictly after (rankScore, productId) comes next. */
export interface RankCursor {
  score: number;
  productId: number;
  /** For a popular list: the version of the ranking snapshot the cursor was made on. */
  popularVersion?: number;
  /** In the part past a top-K matrix's stored list (src/serving/beyond-matrix.ts). */
  beyond?: boolean;
}

/** One user's ranked products (a page of them), best first. */
export interface RankedProducts {
  /** The user's internal id and shop id (load the user itself if it is needed). */
  userId: number;
  externalId: string;
  items: ScoredProduct[];
  /** Set when the items come from the popular ranking: the snapshot's version, for cursors. */
  popularVersion?: number;
  /** Ranked for a user new to the model, fitted to what they did (src/serving/fresh-users.ts). */
  foldedIn?: boolean;
}

export type ScoredProductConnectionModel = Connection<ScoredProduct>;

export interface Similar<T> {
  node: T;
  similarity: number;
}
