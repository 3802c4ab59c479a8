// Shoppers the active model does not know yet but who have rated or done a few things since: ranked by the
// model at once, with an embedding fitted to what they did against its frozen networks (src/model/fold-in.ts),
// instead of the popular ranking until the next run. With feature towers, the fit starts from the vector of
// their attributes' tokens, and one who did too little is ranked from that vector alone. Fitted lists are
// cached until the user does more.
import type pg from 'pg';
import { LRUCache } from 'lru-cache';
import type { Product } from '../../store/catalog.js';
import { PRODUCTS_BY_IDS_SQL } from '../../store/sql.js';
import { DEFAULT_TRAINING_CONFIG } from '../../model/config.js';
import { FrozenNetwork, foldInScores, featureVector, DEFAULT_FOLD_IN } from '../../model/fold-in.js';
import { userTokens } from '../../model/features.js';
import { networkArrays } from '../../model/onnx/onnx-scorer.js';
import { makeRng } from '../../model/rng.js';
import type { EventKind } from '../../events/event-log.js';
import type { LoadedModel } from '../active-model.js';
import type { RankCursor, RankedProducts, ScoredProduct } from '../types.js';
import { rankRow, seenRankScore } from '../../model/rank-blend.js';
import { inputWeight } from '../../model/selection/interaction-matrix.js';

/** Interactions with products the model knows that a user needs before their list is fitted. */
export const FOLD_IN_MIN_INTERACTIONS = 3;

type Queryable = pg.Pool | pg.PoolClient;

/** A user the model does not know, as COLD_USERS_SQL reads them. */
export interface ColdUser {
  u_id: number;
  u_externalId: string;
  u_attributes: unknown;
  /** Products they rated or bought (of those not bought again): never shown to them. */
  rated: number[];
  /** Their latest ratings (value) and events (type); null when none. */
  interactions: { productId: number; productExternalId: string; value: number | null; type: EventKind | null; at: string }[] | null;
}

interface FittedList {
  /** Model product indices, best first, their rank scores and predicted ratings (unclipped). */
  order: Int32Array;
  scores: Float32Array;
  ratings: Float32Array;
  /** Internal ids the user rated or bought (of the products not bought again): never shown. */
  excluded: Set<number>;
  reason: 'FOLDED_IN' | 'FEATURES';
}

export interface FreshRequest {
  limit: number;
  category: string | null;
  after: RankCursor | null;
}

export class FreshUsers {
  private readonly networks = new WeakMap<LoadedModel, FrozenNetwork[]>();
  private readonly tokenIds = new WeakMap<LoadedModel, Map<string, number>>();
  private readonly fitted = new LRUCache<string, FittedList>({ max: 2_000 });

  /** `internalIdOf(model)`: each model product's internal id now (-1 when deleted since). */
  constructor(private readonly internalIdOf: (model: LoadedModel) => Promise<Int32Array>) {}

  /** Lists of the `users` who did enough, or whose attributes the model learnt from; the others are left to the popular ranking. */
  async rank(pool: Queryable, model: LoadedModel, users: ColdUser[], request: FreshRequest): Promise<Map<string, RankedProducts>> {
    const ranked = new Map<string, RankedProducts>();
    const features = model.vocabulary.userTokens !== undefined;
    const active = users.filter((user) => features || (user.interactions?.length ?? 0) >= FOLD_IN_MIN_INTERACTIONS);
    if (active.length === 0) return ranked;
    const internalIds = await this.internalIdOf(model);
    for (const user of active) {
      const list = this.fittedList(model, user);
      if (!list) continue;
      const items = await this.page(pool, model, list, internalIds, request);
      ranked.set(user.u_externalId, { userId: user.u_id, externalId: user.u_externalId, items, foldedIn: true });
    }
    return ranked;
  }

  private fittedList(model: LoadedModel, user: ColdUser): FittedList | null {
    const interactions = user.interactions ?? [];
    const latest = interactions.reduce((t, r) => Math.max(t, Date.parse(r.at)), 0);
    const attributes = model.vocabulary.userTokens ? JSON.stringify(user.u_attributes) : '';
    const key = `${model.runId}:${user.u_id}:${interactions.length}:${latest}:${attributes}`;
    const cached = this.fitted.get(key);
    if (cached) return cached;
    const config = model.model.config;
    const weights = config.eventWeights ?? DEFAULT_TRAINING_CONFIG.eventWeights;
    // The training's targets: a rating as it is; events as the implied rating of the strongest.
    const targets = new Map<number, { value: number; fromEvents: boolean }>();
    const excluded = new Set(user.rated);
    for (const row of interactions) {
      const item = model.productIndex.get(row.productExternalId);
      if (item === undefined) continue;
      const current = targets.get(item);
      if (row.value !== null) targets.set(item, { value: row.value, fromEvents: false });
      else if (row.type && (!current || current.fromEvents)) {
        const implied = config.minRating + weights[row.type] * (config.maxRating - config.minRating);
        if (weights[row.type] > 0 && (!current || implied > current.value)) targets.set(item, { value: implied, fromEvents: true });
      }
    }
    const features = this.featureVectors(model, user);
    const fromFeaturesOnly = targets.size < FOLD_IN_MIN_INTERACTIONS;
    if (fromFeaturesOnly && !features) return null;
    // From the attributes alone, a list depends on the tokens only: shoppers alike share it (and its cost).
    const tokensKey = fromFeaturesOnly ? `${model.runId}:tokens:${features!.tokens.join(',')}` : '';
    const shared = fromFeaturesOnly ? this.fitted.get(tokensKey) : undefined;
    if (shared) return { ...shared, excluded };
    if (fromFeaturesOnly) targets.clear();
    const starts = features?.vectors;
    const items: number[] = [];
    const values: number[] = [];
    for (const [item, { value }] of targets) {
      items.push(item);
      values.push(value);
    }
    // Sampled negatives for what came from events, as in training; seeded by the user, so a list is stable.
    const rng = makeRng(user.u_id);
    const perEvent = config.negativesPerEvent ?? DEFAULT_TRAINING_CONFIG.negativesPerEvent;
    for (const { fromEvents } of [...targets.values()]) {
      if (!fromEvents) continue;
      for (let s = 0; s < perEvent; s++) {
        const item = Math.floor(rng() * model.model.numItems);
        if (targets.has(item)) continue;
        items.push(item);
        values.push(config.minRating);
      }
    }
    const ratings = foldInScores(
      this.frozen(model),
      Int32Array.from(items),
      Float32Array.from(values),
      { ...DEFAULT_FOLD_IN, l2: config.l2 },
      starts ?? undefined,
    );
    const scores = this.rankScores(model, targets, ratings);
    const order = Int32Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b] - scores[a] || b - a);
    const list: FittedList = { order, scores, ratings, excluded, reason: fromFeaturesOnly ? 'FEATURES' : 'FOLDED_IN' };
    this.fitted.set(fromFeaturesOnly ? tokensKey : key, list);
    return list;
  }

  /** `limit` products of the fitted list after the cursor, in the category, available and not excluded. */
  private async page(pool: Queryable, model: LoadedModel, list: FittedList, internalIds: Int32Array, request: FreshRequest): Promise<ScoredProduct[]> {
    const { after, category, limit } = request;
    const { minRating, maxRating } = model.model.config;
    const items: ScoredProduct[] = [];
    let k = 0;
    // Candidates in slices: a category or unavailable products may leave a slice short.
    for (let wanted = limit + 10; items.length < limit && k < list.order.length; wanted *= 4) {
      const slice: { id: number; score: number; rating: number }[] = [];
      for (; k < list.order.length && slice.length < wanted; k++) {
        const item = list.order[k];
        const id = internalIds[item];
        const score = Math.fround(list.scores[item]);
        if (id < 0 || list.excluded.has(id) || score === -Infinity) continue;
        if (after && !(score < after.score || (score === after.score && id < after.productId))) continue;
        slice.push({ id, score, rating: list.ratings[item] });
      }
      if (slice.length === 0) break;
      const { rows } = await pool.query<Product>({ name: 'products-by-ids', text: PRODUCTS_BY_IDS_SQL, values: [slice.map((s) => s.id)] });
      const products = new Map(rows.map((row) => [row.id, row]));
      for (const { id, score, rating } of slice) {
        const product = products.get(id);
        if (!product?.available || (category !== null && product.category !== category) || items.length >= limit) continue;
        items.push({ product, score: Math.min(maxRating, Math.max(minRating, rating)), rankScore: score, reason: list.reason });
      }
    }
    return items;
  }

  /**
   * Rank scores from the fitted ratings: the selection model's pick scores from what the user did (exact:
   * their vector is a sum over their products), blended as the run blends; what they did and may see again
   * counted as it says. Without a selection model, the ratings themselves.
   */
  private rankScores(model: LoadedModel, targets: Map<number, { value: number; fromEvents: boolean }>, ratings: Float32Array): Float32Array {
    const selection = model.selection;
    if (!selection) return ratings;
    const { minRating, maxRating } = model.model.config;
    const items = [...targets.keys()];
    const weights = items.map((item) => inputWeight(targets.get(item)!.value, minRating, maxRating));
    const picks = selection.model.scores(selection.model.userVector(items, weights));
    const scores = rankRow(selection.blend, picks, ratings, model.model.config, new Float32Array(ratings.length));
    for (const item of items) scores[item] = seenRankScore(selection.blend, picks[item], ratings[item], model.model.config);
    return scores;
  }

  /** The user's known tokens and their vector in each network, or null (no feature towers, no known token). */
  private featureVectors(model: LoadedModel, user: ColdUser): { tokens: number[]; vectors: Float32Array[] } | null {
    const names = model.vocabulary.userTokens;
    if (!names) return null;
    let ids = this.tokenIds.get(model);
    if (!ids) this.tokenIds.set(model, (ids = new Map(names.map((name, k) => [name, k]))));
    const known = userTokens(user.u_attributes)
      .map((token) => ids.get(token))
      .filter((t): t is number => t !== undefined)
      .sort((a, b) => a - b);
    const d = model.model.config.embeddingDim;
    const vectors = model.model.members.map((m) => (m.userFeatures ? featureVector(m.userFeatures, d, known) : null));
    return vectors.every((v) => v !== null) ? { tokens: known, vectors } : null;
  }

  private frozen(model: LoadedModel): FrozenNetwork[] {
    let networks = this.networks.get(model);
    if (!networks) this.networks.set(model, (networks = model.model.members.map((m) => new FrozenNetwork(networkArrays(m)))));
    return networks;
  }
}
