// Recommendations and scores for the API: personalized ones from the active
// run's prediction matrix (src/store/sql.ts personalizedSql), popular ones from
// the cached Bayesian ranking for users the model does not know, and
// neighbours by cosine similarity of the active model's embeddings. Works in
// batches of users so the API's DataLoaders send one statement per batch (per
// USERS_PER_STATEMENT users).
import type pg from 'pg';
import type { Logger } from '../log.js';
import type { User, Product } from '../store/catalog.js';
import {
  personalizedSql,
  COLD_USERS_SQL,
  PRODUCTS_BY_IDS_OR_NEWER_SQL,
  PRODUCTS_BY_EXTERNAL_IDS_SQL,
  USERS_BY_EXTERNAL_IDS_SQL,
  PRODUCT_IDS_SQL,
  UNRATED_COUNT_SQL,
  RECENTLY_RATED_SQL,
} from '../store/sql.js';
import type { ReadReplicas } from '../store/read-replicas.js';
import type { ActiveModel, LoadedModel } from './active-model.js';
import { PopularRanking } from './popularity.js';
import { CosineIndex } from './similarity.js';
import { ProductCache, type ProductRef } from './product-cache.js';
import { RankCoalescer } from './rank-coalescer.js';
import type { RankCursor, RankedProducts, ScoredProduct, Similar, UnratedScore } from './types.js';
import { BeyondMatrix } from './beyond-matrix.js';
import { FreshUsers, type ColdUser } from './fresh-users.js';
import type { TrendingRanking } from '../rules/trending.js';
import type { PopularSnapshot } from './popularity.js';
import { rankRow } from '../model/rank-blend.js';

/** Ratings this much older than a replica's lag limit are surely on it: newer ones are read from the primary. */
const RECENT_MARGIN_S = 5;

/** How long the list of products the active model has not seen is reused before it is read again. */
const UNSEEN_TTL_MS = 5_000;

/**
 * Users per personalized statement. A larger batch is split into statements
 * that run at once on several connections, so PostgreSQL works on more than
 * one core and the client parses one part's rows while the next is computed
 * (1,000 users: 250 per statement measured fastest of 125 to 1,000).
 */
const USERS_PER_STATEMENT = 250;

/** A pool, or one connection of it. */
type Queryable = pg.Pool | pg.PoolClient;

/** Named, so each connection parses it once (and, in the single form, plans it once). */
function personalizedStatement(shape: { category: boolean; cursor: boolean; single: boolean }): { name: string; text: string } {
  return { name: `personalized-${Number(shape.category)}${Number(shape.cursor)}${Number(shape.single)}`, text: personalizedSql(shape) };
}

/** Products the active model has not seen: scored by the baseline, not read from the matrix. */
interface UnseenProducts {
  runId: number;
  /** Internal ids, at most `watermark`, of products missing from the model's vocabulary. */
  ids: number[];
  /** The highest product id when `ids` was listed; every product above it is unseen too. */
  watermark: number;
  /** Each model product's internal id (-1 when deleted since). */
  internalIds: Int32Array;
  listedAt: number;
}

interface EmbeddingIndexes {
  users: CosineIndex;
  products: CosineIndex;
}

type UserKeyRow = { u_id: number; u_externalId: string };

/** A row of personalizedSql; `id` and `version` are null for a user with nothing left to recommend. */
type PersonalizedRow = UserKeyRow & { score: number | null; rating: number | null; id: number | null; version: string | null };

/**
 * The shortest decimal that is still the same float4, as PostgreSQL prints a
 * REAL: popular scores then look like matrix scores, and survive a cursor.
 */
function shortestFloat4(value: number): number {
  for (let digits = 1; digits < 9; digits++) {
    const short = Number(value.toPrecision(digits));
    if (Math.fround(short) === value) return short;
  }
  return value;
}

export interface RankRequest {
  externalIds: readonly string[];
  /** The model the request is answered with (pinned per API request); the active one when absent. */
  model?: LoadedModel | null;
  /** Rows per user (callers paging ask for one more than they show). */
  limit: number;
  category: string | null;
  after: RankCursor | null;
  /** Users the model does not know get the trending products first (src/rules/trending.ts) instead of the popular ranking. */
  trending?: boolean;
}

export class Recommender {
  readonly popular: PopularRanking;
  private readonly products: ProductCache;
  private readonly beyond: BeyondMatrix;
  private unseen: UnseenProducts | null = null;
  private unseenPending: { runId: number; listing: Promise<UnseenProducts> } | null = null;
  private readonly embeddings = new WeakMap<LoadedModel, EmbeddingIndexes>();
  private readonly coalescer: RankCoalescer;
  private readonly reads: ReadReplicas | undefined;
  private readonly trending: TrendingRanking | undefined;
  private readonly fresh: FreshUsers;

  private readonly usersPerStatement: number;

  constructor(
    private readonly pool: pg.Pool,
    private readonly activeModel: ActiveModel,
    ratingScale: { ratingMin: number; ratingMax: number },
    private readonly log: Logger,
    options: {
      usersPerStatement?: number;
      /** A shared statement went out for this many requests. */
      onShared?: (requests: number) => void;
      /** Streaming replicas for the serving statements (DATABASE_READ_URLS); the primary alone without. */
      reads?: ReadReplicas;
      /** What is trending, for lists that ask for it. */
      trending?: TrendingRanking;
    } = {},
  ) {
    this.reads = options.reads?.configured ? options.reads : undefined;
    this.trending = options.trending;
    this.usersPerStatement = options.usersPerStatement ?? USERS_PER_STATEMENT;
    this.coalescer = new RankCoalescer((request) => this.rankNow(request), options.onShared);
    this.popular = new PopularRanking(pool, ratingScale, log);
    this.products = new ProductCache(pool);
    this.beyond = new BeyondMatrix(pool, this.products);
    this.fresh = new FreshUsers(async (model) => (await this.unseenProducts(model)).internalIds);
  }

  /**
   * Readies the service before it says it is ready: every connection of the primary's and the replicas'
   * pools is opened and prepares the serving statements (a fresh connection parses and plans each named
   * statement on first use, which the first requests after a start paid for; the serving pools keep idle
   * connections open, see StoreOptions.keepIdle); then real requests fill the caches (the active model,
   * the products, the popular ranking). Returns the connections prepared and some users of the active model.
   */
  async warmUp(): Promise<{ prepared: number; users: string[] }> {
    const pools = [this.pool, ...(this.reads?.pools().map((r) => r.pool) ?? [])];
    let prepared = 0;
    for (const pool of pools) {
      const clients = await Promise.all(Array.from({ length: pool.options.max ?? 10 }, () => pool.connect()));
      try {
        await Promise.all(clients.map((client) => this.prepareStatements(client)));
        prepared += clients.length;
      } finally {
        for (const client of clients) client.release();
      }
    }
    const model = await this.activeModel.get();
    const users = model ? [...model.userIndex.keys()].slice(0, 1000) : [];
    // A user nobody has takes the popular ranking.
    await this.rankOn(this.pool, { externalIds: [`warm-up-${process.pid}`], limit: 10, category: null, after: null, model });
    if (users.length > 0) {
      await this.rankOn(this.pool, { externalIds: users.slice(0, 1), limit: 11, category: null, after: null, model });
      await this.rankOn(this.pool, { externalIds: users.slice(0, this.usersPerStatement), limit: 10, category: null, after: null, model });
    }
    return { prepared, users };
  }

  /** Runs each serving statement once on `client` with values that match nothing, so it is parsed and planned there. */
  private async prepareStatements(client: pg.PoolClient): Promise<void> {
    for (const single of [true, false]) {
      for (const category of [false, true]) {
        for (const cursor of [false, true]) {
          const values: unknown[] = single ? ['', 0, 0, [], 0, 1] : [[], [], [], [], 0, 1];
          if (category) values.push('');
          if (cursor) values.push(0, 0);
          await client.query({ ...personalizedStatement({ single, category, cursor }), values });
        }
      }
    }
    await client.query({ name: 'cold-users', text: COLD_USERS_SQL, values: [[]] });
    await client.query({ name: 'unrated-count', text: UNRATED_COUNT_SQL, values: [0, null] });
  }

  /**
   * `limit` of a user's unrated products with their scores, best first: the stored list, then, past the
   * end of a top-K matrix's list, what it left out, scored now (beyond-matrix.ts). Null: no such user.
   */
  async unratedPage(request: { externalId: string; limit: number; category: string | null; after: RankCursor | null; model?: LoadedModel | null }): Promise<{ ranked: RankedProducts; items: UnratedScore[] } | null> {
    const model = request.model !== undefined ? request.model : await this.activeModel.get();
    const { externalId, limit, category, after } = request;
    const ranked = (await this.rank({ externalIds: [externalId], limit: after?.beyond ? 1 : limit, category, after: after?.beyond ? null : after, model })).get(externalId);
    if (!ranked) return null;
    const stored = after?.beyond ? [] : ranked.items.map((item) => ({ ...item, beyond: false }));
    if (stored.length >= limit || !model?.topK || ranked.popularVersion !== undefined || ranked.foldedIn) return { ranked, items: stored };
    const past = await this.beyond.page(model, ranked, category, after?.beyond ? after : null, limit - stored.length);
    return { ranked, items: [...stored, ...past.map((item) => ({ ...item, beyond: true }))] };
  }

  /**
   * Each user's best unrated products (after the cursor, when given), best
   * first. Users that do not exist are missing from the result. Requests of
   * the same shape that arrive together share their statements (rank-coalescer.ts).
   */
  rank(request: RankRequest): Promise<Map<string, RankedProducts>> {
    return this.coalescer.rank(request);
  }

  private async rankNow(request: RankRequest): Promise<Map<string, RankedProducts>> {
    const reads = this.reads?.pool() ?? this.pool;
    if (reads === this.pool) return this.rankOn(this.pool, request);
    // On a replica, which may not have the last seconds of writes yet: what these users rated in that time
    // comes from the primary and is left out (read-your-writes for exclusions), and a user the replica
    // does not know yet (made a moment ago) is ranked on the primary.
    const recent = await this.recentlyRated(request.externalIds);
    const extra = Math.max(0, ...[...recent.values()].map((rated) => rated.size));
    const ranked = await this.rankOn(reads, { ...request, limit: request.limit + extra });
    const missing = request.externalIds.filter((id) => !ranked.has(id));
    if (missing.length > 0) for (const [id, entry] of await this.rankOn(this.pool, { ...request, externalIds: missing })) ranked.set(id, entry);
    for (const [id, entry] of ranked) {
      const rated = recent.get(id);
      const items = rated ? entry.items.filter((item) => !rated.has(item.product.id)) : entry.items;
      entry.items = items.slice(0, request.limit);
    }
    return ranked;
  }

  /** Product ids each user rated within the replicas' lag limit (and a margin), from the primary. */
  private async recentlyRated(externalIds: readonly string[]): Promise<Map<string, Set<number>>> {
    const seconds = this.reads!.maxLagSeconds + RECENT_MARGIN_S;
    const { rows } = await this.pool.query<{ externalId: string; productId: number }>({
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

  private async rankOn(pool: Queryable, request: RankRequest): Promise<Map<string, RankedProducts>> {
    const model = request.model !== undefined ? request.model : await this.activeModel.get();
    const known: string[] = [];
    const unknown: string[] = [];
    for (const id of new Set(request.externalIds)) (model?.userIndex.has(id) ? known : unknown).push(id);
    const [personalized, cold] = await Promise.all([
      model && known.length > 0 ? this.personalized(pool, model, known, request) : new Map<string, RankedProducts>(),
      unknown.length > 0 ? this.coldStart(pool, model, unknown, request) : new Map<string, RankedProducts>(),
    ]);
    for (const [id, ranked] of cold) personalized.set(id, ranked);
    return personalized;
  }

  /** Users new to the model who did enough since are fitted to it (fresh-users.ts); the others get the popular ranking. */
  private async coldStart(pool: Queryable, model: LoadedModel | null, externalIds: string[], request: RankRequest): Promise<Map<string, RankedProducts>> {
    const [{ rows: users }, ranking] = await Promise.all([
      pool.query<ColdUser>({ name: 'cold-users', text: COLD_USERS_SQL, values: [externalIds] }),
      request.trending && this.trending ? this.trendingFirst() : this.popular.at(request.after?.popularVersion),
    ]);
    const folded = model ? await this.fresh.rank(pool, model, users, request) : new Map<string, RankedProducts>();
    const rest = folded.size > 0 ? users.filter((user) => !folded.has(user.u_externalId)) : users;
    const popular = rest.length > 0 ? await this.popularFor(pool, rest, ranking, request) : new Map<string, RankedProducts>();
    for (const [id, ranked] of folded) popular.set(id, ranked);
    return popular;
  }

  /** How many products the user has not rated (in the category). */
  async unratedCount(userId: number, category: string | null): Promise<number> {
    const { rows } = await (this.reads?.pool() ?? this.pool).query<{ n: number }>({ name: 'unrated-count', text: UNRATED_COUNT_SQL, values: [userId, category] });
    return Math.max(0, rows[0].n);
  }

  private async personalized(pool: Queryable, model: LoadedModel, externalIds: string[], request: RankRequest): Promise<Map<string, RankedProducts>> {
    const unseen = await this.unseenProducts(model);
    const size = this.usersPerStatement;
    if (externalIds.length <= size) return this.personalizedChunk(pool, model, unseen, externalIds, request);
    const chunks: string[][] = [];
    for (let k = 0; k < externalIds.length; k += size) chunks.push(externalIds.slice(k, k + size));
    const parts = await Promise.all(chunks.map((chunk) => this.personalizedChunk(pool, model, unseen, chunk, request)));
    return new Map(parts.flatMap((part) => [...part]));
  }

  private async personalizedChunk(
    pool: Queryable,
    model: LoadedModel,
    unseen: UnseenProducts,
    externalIds: string[],
    request: RankRequest,
  ): Promise<Map<string, RankedProducts>> {
    // What the baseline predicts for this user and a product the model has not seen (μ + b_u), and its rank score.
    const unseenRatings = externalIds.map((id) => Math.fround(model.baseline.predict(model.userIndex.get(id)!, -1)));
    const unseenRanks = Array.from(rankRow(model.selection?.blend ?? null, null, unseenRatings, model.model.config, new Float32Array(unseenRatings.length)));
    // One user (every recommendations(userId) call) takes the scalar form: see personalizedSql.
    const single = externalIds.length === 1;
    const values: unknown[] = single
      ? [externalIds[0], unseenRanks[0], unseenRatings[0], unseen.ids, unseen.watermark, request.limit]
      : [externalIds, unseenRanks, unseenRatings, unseen.ids, unseen.watermark, request.limit];
    if (request.category !== null) values.push(request.category);
    if (request.after) values.push(request.after.score, request.after.productId);
    const shape = { category: request.category !== null, cursor: request.after !== null, single };
    const { rows } = await pool.query<PersonalizedRow>({ ...personalizedStatement(shape), values });
    const products = await this.products.resolve(rows.filter((row): row is PersonalizedRow & ProductRef => row.id !== null));
    // The matrix holds each product's rank score (it orders the list) and its unclipped predicted rating; what is shown is a rating.
    const { minRating, maxRating } = model.model.config;
    const ranked = new Map<string, RankedProducts>();
    for (const row of rows) {
      let entry = ranked.get(row.u_externalId);
      if (!entry) ranked.set(row.u_externalId, (entry = { userId: row.u_id, externalId: row.u_externalId, items: [] }));
      // A product deleted since the statement read it is left out.
      const product = row.id === null ? undefined : products.get(row.id);
      const rankScore = row.score!;
      if (product) entry.items.push({ product, score: Math.min(maxRating, Math.max(minRating, row.rating!)), rankScore, reason: 'PERSONALIZED' });
    }
    return ranked;
  }

  /** The popular (or trending-first) ranking for `users`, less what each rated or bought. */
  private async popularFor(pool: Queryable, users: ColdUser[], ranking: PopularSnapshot & { reason?: 'TRENDING' }, request: RankRequest): Promise<Map<string, RankedProducts>> {
    // A few spare candidates per user stand in for products deleted (or made unavailable) since the ranking
    // was computed; when they are not enough, four times as many are read.
    for (let wanted = request.limit + 5; ; wanted *= 4) {
      const { ranked, short } = await this.popularLists(pool, users, ranking, request, wanted);
      if (!short) return ranked;
    }
  }

  /**
   * The popular ranking with the trending products moved to its head, hottest first (shown with their
   * popular scores). Products added since are not in it: they have no events yet.
   */
  private async trendingFirst(): Promise<PopularSnapshot & { reason: 'TRENDING' }> {
    const [popular, trending] = await Promise.all([this.popular.get(), this.trending!.get()]);
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

  /** popularFor with `wanted` candidates a user; `short` when a list came out short of products that exist. */
  private async popularLists(
    pool: Queryable,
    users: ColdUser[],
    ranking: PopularSnapshot & { reason?: 'TRENDING' },
    request: RankRequest,
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

  /** The products the model has not seen, listed again every few seconds (and for each new model). */
  private async unseenProducts(model: LoadedModel): Promise<UnseenProducts> {
    const current = this.unseen;
    const fresh = current?.runId === model.runId;
    if (fresh && Date.now() - current.listedAt < UNSEEN_TTL_MS) return current;
    if (this.unseenPending?.runId !== model.runId) {
      const listing = this.listUnseen(model).finally(() => {
        if (this.unseenPending?.listing === listing) this.unseenPending = null;
      });
      this.unseenPending = { runId: model.runId, listing };
    }
    const { listing } = this.unseenPending;
    if (!fresh) return listing;
    // Stale but for this model: serve it while the new listing is read.
    listing.catch((error) => this.log.error({ err: error }, 'could not list the products the model has not seen'));
    return current;
  }

  private async listUnseen(model: LoadedModel): Promise<UnseenProducts> {
    const { rows } = await this.pool.query<{ id: number; externalId: string }>(PRODUCT_IDS_SQL);
    let watermark = 0;
    const ids: number[] = [];
    const internalIds = new Int32Array(model.model.numItems).fill(-1);
    for (const row of rows) {
      watermark = Math.max(watermark, row.id);
      const item = model.productIndex.get(row.externalId);
      if (item === undefined) ids.push(row.id);
      else internalIds[item] = row.id;
    }
    this.unseen = { runId: model.runId, ids, watermark, internalIds, listedAt: Date.now() };
    return this.unseen;
  }

  /** Products nearest to `externalId` in the active model's embedding space; [] when the model has not seen it. */
  async similarProducts(externalId: string, first: number, pinned?: LoadedModel | null): Promise<Similar<Product>[]> {
    const model = pinned !== undefined ? pinned : await this.activeModel.get();
    const index = model?.productIndex.get(externalId);
    if (!model || index === undefined) return [];
    // Spare neighbours stand in for products deleted since training.
    const neighbours = this.indexes(model).products.nearest(index, first + 10);
    const { rows } = await this.pool.query<Product>({
      name: 'products-by-external-ids',
      text: PRODUCTS_BY_EXTERNAL_IDS_SQL,
      values: [neighbours.map((n) => model.vocabulary.products[n.index])],
    });
    const byId = new Map(rows.map((row) => [row.externalId, row]));
    return neighbours
      .map((n) => ({ node: byId.get(model.vocabulary.products[n.index])!, similarity: n.similarity }))
      .filter((s) => s.node !== undefined)
      .slice(0, first);
  }

  /** Users nearest to `externalId` in the active model's embedding space; [] when the model has not seen them. */
  async similarUsers(externalId: string, first: number, pinned?: LoadedModel | null): Promise<Similar<User>[]> {
    const model = pinned !== undefined ? pinned : await this.activeModel.get();
    const index = model?.userIndex.get(externalId);
    if (!model || index === undefined) return [];
    const neighbours = this.indexes(model).users.nearest(index, first + 10);
    const { rows } = await this.pool.query<User>({
      name: 'users-by-external-ids',
      text: USERS_BY_EXTERNAL_IDS_SQL,
      values: [neighbours.map((n) => model.vocabulary.users[n.index])],
    });
    const byId = new Map(rows.map((row) => [row.externalId, row]));
    return neighbours
      .map((n) => ({ node: byId.get(model.vocabulary.users[n.index])!, similarity: n.similarity }))
      .filter((s) => s.node !== undefined)
      .slice(0, first);
  }

  /** Unit-length embeddings of one loaded model, built on first use and dropped with the model. */
  private indexes(model: LoadedModel): EmbeddingIndexes {
    let indexes = this.embeddings.get(model);
    if (!indexes) {
      const { members } = model.model;
      const tables = (tower: 'user' | 'item') => members.map((m) => m[tower].embeddings.dataSync() as Float32Array);
      indexes = {
        users: new CosineIndex(tables('user'), model.model.numUsers, members[0].user.dim),
        products: new CosineIndex(tables('item'), model.model.numItems, members[0].item.dim),
      };
      this.embeddings.set(model, indexes);
    }
    return indexes;
  }

  /** Forget cached rankings and listings (after bulk changes; tests). */
  invalidate(): void {
    this.popular.invalidate();
    this.unseen = null;
  }
}
