// Where each list comes from, in one place: a user the active model knows gets their personalized list
// (sources/personalized.ts); a user new to it who did enough since is fitted to it at once
// (sources/fresh-users.ts); anyone else gets the popular ranking, or the trending-first one when asked
// (sources/popular.ts). Requests that arrive together share their statements (rank-coalescer.ts), and on a
// replica the user's latest ratings still count (replica-reads.ts). Neighbours: sources/similar.ts.
import type pg from 'pg';
import type { Logger } from '../log.js';
import type { User, Product } from '../store/catalog.js';
import { COLD_USERS_SQL, UNRATED_COUNT_SQL } from '../store/sql.js';
import type { ReadReplicas } from '../store/read-replicas.js';
import type { ActiveModel, LoadedModel } from './active-model.js';
import { ProductCache } from './product-cache.js';
import { RankCoalescer } from './rank-coalescer.js';
import { rankOnReplica } from './replica-reads.js';
import type { RankCursor, RankedProducts, ScoredProduct, Similar, UnratedScore } from './types.js';
import { BeyondMatrix } from './sources/beyond-matrix.js';
import { FreshUsers, type ColdUser } from './sources/fresh-users.js';
import { PersonalizedLists, type Queryable } from './sources/personalized.js';
import { popularLists } from './sources/popular.js';
import { PopularRanking } from './sources/popular-ranking.js';
import { SimilarItems } from './sources/similar.js';
import { TogetherLists, type TogetherKind, type TogetherOptions } from './sources/together.js';
import { trendingFirst, type TrendingRanking } from '../rules/trending.js';
import { loadConfig } from '../config.js';

export interface RankRequest {
  externalIds: readonly string[];
  /** The model the request is answered with (pinned per API request); the active one when absent. */
  model?: LoadedModel | null;
  /** The matrix of `model` to read when it is an experiment variant's (src/experiments/variant-matrices.ts). */
  matrix?: string;
  /** Rows per user (callers paging ask for one more than they show). */
  limit: number;
  category: string | null;
  after: RankCursor | null;
  /** Users the model does not know get the trending products first (src/rules/trending.ts) instead of the popular ranking. */
  trending?: boolean;
  /** An id with no user gets the popular (or trending-first) list, as a visitor before its first event; without, it is left out. */
  anyone?: boolean;
}

/** The id under which a list for no one in particular is ranked (popularProducts): no user can have it, ids are never empty. */
export const NO_ONE = '';

export class Recommender {
  readonly popular: PopularRanking;
  private readonly personalized: PersonalizedLists;
  private readonly beyond: BeyondMatrix;
  private readonly fresh: FreshUsers;
  private readonly similar: SimilarItems;
  private readonly togetherLists: TogetherLists;
  private readonly coalescer: RankCoalescer;
  private readonly reads: ReadReplicas | undefined;
  private readonly trending: TrendingRanking | undefined;

  constructor(
    private readonly pool: pg.Pool,
    private readonly activeModel: ActiveModel,
    ratingScale: { ratingMin: number; ratingMax: number },
    log: Logger,
    options: {
      usersPerStatement?: number;
      /** A shared statement went out for this many requests. */
      onShared?: (requests: number) => void;
      /** Streaming replicas for the serving statements (DATABASE_READ_URLS); the primary alone without. */
      reads?: ReadReplicas;
      /** What is trending, for lists that ask for it. */
      trending?: TrendingRanking;
      /** The session window of the bought- and viewed-together lists (TOGETHER_*; their defaults without). */
      together?: TogetherOptions;
    } = {},
  ) {
    this.reads = options.reads?.configured ? options.reads : undefined;
    this.trending = options.trending;
    const products = new ProductCache(pool);
    this.personalized = new PersonalizedLists(pool, products, log, options.usersPerStatement);
    this.popular = new PopularRanking(pool, ratingScale, log);
    this.beyond = new BeyondMatrix(pool, products);
    this.fresh = new FreshUsers(async (model) => (await this.personalized.unseenProducts(model)).internalIds);
    this.similar = new SimilarItems(pool);
    this.togetherLists = new TogetherLists(pool, products, options.together ?? loadConfig({}).together);
    this.coalescer = new RankCoalescer((request) => this.rankNow(request), options.onShared);
  }

  /**
   * Readies the service before it says it is ready: every connection of the primary's and the usable replicas'
   * pools is opened and prepares the serving statements (a fresh connection parses and plans each named
   * statement on first use, which the first requests after a start paid for; the serving pools keep idle
   * connections open, see StoreOptions.keepIdle); then real requests fill the caches (the active model,
   * the products, the popular ranking). Returns the connections prepared and some users of the active model.
   */
  async warmUp(): Promise<{ prepared: number; users: string[] }> {
    const pools = [this.pool, ...(this.reads?.usablePools() ?? [])];
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
      await this.rankOn(this.pool, { externalIds: users.slice(0, this.personalized.usersPerStatement), limit: 10, category: null, after: null, model });
    }
    return { prepared, users };
  }

  private async prepareStatements(client: pg.PoolClient): Promise<void> {
    await this.personalized.prepare(client);
    await client.query({ name: 'cold-users', text: COLD_USERS_SQL, values: [[]] });
    await client.query({ name: 'unrated-count', text: UNRATED_COUNT_SQL, values: [0, null] });
  }

  /**
   * `limit` of a user's unrated products with their scores, best first: the stored list, then, past the
   * end of a top-K matrix's list, what it left out, scored now (sources/beyond-matrix.ts). Null: no such user.
   */
  async unratedPage(request: {
    externalId: string;
    limit: number;
    category: string | null;
    after: RankCursor | null;
    model?: LoadedModel | null;
  }): Promise<{ ranked: RankedProducts; items: UnratedScore[] } | null> {
    const model = request.model !== undefined ? request.model : await this.activeModel.get();
    const { externalId, limit, category, after } = request;
    const ranked = (await this.rank({ externalIds: [externalId], limit: after?.beyond ? 1 : limit, category, after: after?.beyond ? null : after, model })).get(
      externalId,
    );
    if (!ranked) return null;
    const stored = after?.beyond ? [] : ranked.items.map((item) => ({ ...item, beyond: false }));
    if (stored.length >= limit || !model?.topK || ranked.popularVersion !== undefined || ranked.foldedIn) return { ranked, items: stored };
    const past = await this.beyond.page(model, ranked, category, after?.beyond ? after : null, limit - stored.length);
    return { ranked, items: [...stored, ...past.map((item) => ({ ...item, beyond: true }))] };
  }

  /**
   * Each user's best unrated products (after the cursor, when given), best first. Users that do not exist
   * are missing from the result. Requests of the same shape that arrive together share their statements.
   */
  rank(request: RankRequest): Promise<Map<string, RankedProducts>> {
    return this.coalescer.rank(request);
  }

  private rankNow(request: RankRequest): Promise<Map<string, RankedProducts>> {
    const replica = this.reads?.pool() ?? this.pool;
    if (replica === this.pool) return this.rankOn(this.pool, request);
    return rankOnReplica(this.pool, replica, this.reads!, request.externalIds, request.limit, (pool, externalIds, limit) =>
      this.rankOn(pool, { ...request, externalIds, limit }),
    );
  }

  private async rankOn(pool: Queryable, request: RankRequest): Promise<Map<string, RankedProducts>> {
    const model = request.model !== undefined ? request.model : await this.activeModel.get();
    const known: string[] = [];
    const unknown: string[] = [];
    for (const id of new Set(request.externalIds)) (model?.userIndex.has(id) ? known : unknown).push(id);
    const [lists, cold] = await Promise.all([
      model && known.length > 0 ? this.personalized.rank(pool, model, known, request) : new Map<string, RankedProducts>(),
      unknown.length > 0 ? this.coldStart(pool, model, unknown, request) : new Map<string, RankedProducts>(),
    ]);
    for (const [id, ranked] of cold) lists.set(id, ranked);
    // Users the model knows but the shop erased since: an id like any other never seen, when any id is answered.
    const erased = request.anyone ? known.filter((id) => !lists.has(id)) : [];
    if (erased.length > 0) for (const [id, ranked] of await this.coldStart(pool, model, erased, request)) lists.set(id, ranked);
    return lists;
  }

  /** Users new to the model who did enough since are fitted to it; the others get the popular (or trending-first) ranking. */
  private async coldStart(pool: Queryable, model: LoadedModel | null, externalIds: string[], request: RankRequest): Promise<Map<string, RankedProducts>> {
    const [{ rows: users }, ranking] = await Promise.all([
      pool.query<ColdUser>({ name: 'cold-users', text: COLD_USERS_SQL, values: [externalIds] }),
      request.trending && this.trending
        ? Promise.all([this.popular.get(), this.trending.get()]).then(([popular, hot]) => trendingFirst(popular, hot))
        : this.popular.at(request.after?.popularVersion),
    ]);
    if (request.anyone && users.length < externalIds.length) {
      const found = new Set(users.map((user) => user.u_externalId));
      for (const id of externalIds) if (!found.has(id)) users.push({ u_id: 0, u_externalId: id, u_attributes: {}, rated: [], interactions: null });
    }
    const folded = model ? await this.fresh.rank(pool, model, users, request) : new Map<string, RankedProducts>();
    const rest = folded.size > 0 ? users.filter((user) => !folded.has(user.u_externalId)) : users;
    const lists = rest.length > 0 ? await popularLists(pool, rest, ranking, request) : new Map<string, RankedProducts>();
    for (const [id, ranked] of folded) lists.set(id, ranked);
    return lists;
  }

  /**
   * The products `productIds` (internal ids, few: a promotion's) as candidates of the personalized lists in
   * `lists`, where they may be shown: by user id. Lists of users new to the model get none.
   */
  async candidatesOf(
    lists: Iterable<RankedProducts>,
    productIds: number[],
    category: string | null,
    pinned?: LoadedModel | null,
    matrix?: string,
  ): Promise<Map<number, ScoredProduct[]>> {
    const model = pinned !== undefined ? pinned : await this.activeModel.get();
    const users = [...lists].filter((list) => list.popularVersion === undefined && !list.foldedIn).map((list) => list.userId);
    if (!model || users.length === 0 || productIds.length === 0) return new Map();
    return this.personalized.candidatesOf(this.reads?.pool() ?? this.pool, model, users, productIds, category, matrix);
  }

  /** How many products the user has not rated (in the category). */
  async unratedCount(userId: number, category: string | null): Promise<number> {
    const { rows } = await (this.reads?.pool() ?? this.pool).query<{ n: number }>({
      name: 'unrated-count',
      text: UNRATED_COUNT_SQL,
      values: [userId, category],
    });
    return Math.max(0, rows[0].n);
  }

  /** Products the same shoppers bought (or viewed) close in time to `product`, then popular ones: `first` in all. */
  async together(product: Product, kind: TogetherKind, first: number): Promise<ScoredProduct[]> {
    return this.togetherLists.list(product, kind, first, await this.popular.get());
  }

  /** Products nearest to `externalId` in the model's embedding space; [] when the model has not seen it. */
  async similarProducts(externalId: string, first: number, pinned?: LoadedModel | null): Promise<Similar<Product>[]> {
    return this.similar.products(pinned !== undefined ? pinned : await this.activeModel.get(), externalId, first);
  }

  /** Users nearest to `externalId` in the model's embedding space; [] when the model has not seen them. */
  async similarUsers(externalId: string, first: number, pinned?: LoadedModel | null): Promise<Similar<User>[]> {
    return this.similar.users(pinned !== undefined ? pinned : await this.activeModel.get(), externalId, first);
  }

  /** Forget cached rankings and listings (after bulk changes; tests). */
  invalidate(): void {
    this.popular.invalidate();
    this.personalized.invalidate();
  }
}
