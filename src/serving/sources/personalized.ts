// Personalized lists: each user's rows of the active run's prediction matrix (src/store/sql.ts
// personalizedSql), with the products the model has not seen scored by the baseline in the same
// statement. A batch of users is split into statements that run at once on several connections.
import type pg from 'pg';
import type { Logger } from '../../log.js';
import { rankRow } from '../../model/rank-blend.js';
import { personalizedSql, PRODUCT_IDS_SQL, promotedCandidatesSql } from '../../store/sql.js';
import type { LoadedModel } from '../active-model.js';
import type { ProductCache, ProductRef } from '../product-cache.js';
import type { RankCursor, RankedProducts, ScoredProduct } from '../types.js';

/** How long the list of products the active model has not seen is reused before it is read again. */
const UNSEEN_TTL_MS = 5_000;
/** Models whose unseen products are kept listed: the active one and an experiment's (up to 10 variants). */
const MAX_MODELS_LISTED = 12;

/**
 * Users per personalized statement: a larger batch is split into statements on several connections, so
 * PostgreSQL works on more than one core and the client parses one part's rows while the next is computed.
 */
export const USERS_PER_STATEMENT = 250;

/** A pool, or one connection of it. */
export type Queryable = pg.Pool | pg.PoolClient;

/** What a list is asked for (src/serving/recommender.ts RankRequest, less the users and the model). */
export interface ListShape {
  /** Rows per user (callers paging ask for one more than they show). */
  limit: number;
  category: string | null;
  after: RankCursor | null;
  /** The matrix read: an experiment variant's (src/experiments/variant-matrices.ts); the served one without. */
  matrix?: string;
}

/** Products the active model has not seen: scored by the baseline, not read from the matrix. */
export interface UnseenProducts {
  runId: number;
  /** Internal ids, at most `watermark`, of products missing from the model's vocabulary. */
  ids: number[];
  /** The highest product id when `ids` was listed; every product above it is unseen too. */
  watermark: number;
  /** Each model product's internal id (-1 when deleted since). */
  internalIds: Int32Array;
  listedAt: number;
}

/** A row of personalizedSql; `id` and `version` are null for a user with nothing left to recommend. */
type PersonalizedRow = { u_id: number; u_externalId: string; score: number | null; rating: number | null; id: number | null; version: string | null };

/** Named, so each connection parses it once (and, in the single form, plans it once). */
function personalizedStatement(shape: { category: boolean; cursor: boolean; single: boolean; matrix?: string }): { name: string; text: string } {
  const of = shape.matrix ? `-${shape.matrix}` : '';
  return { name: `personalized-${Number(shape.category)}${Number(shape.cursor)}${Number(shape.single)}${of}`, text: personalizedSql(shape) };
}

export class PersonalizedLists {
  /** By run: the active model's, and an experiment's variants' while one runs (each model has its own vocabulary). */
  private readonly unseen = new Map<number, UnseenProducts>();
  private readonly unseenPending = new Map<number, Promise<UnseenProducts>>();

  constructor(
    private readonly pool: pg.Pool,
    private readonly products: ProductCache,
    private readonly log: Logger,
    readonly usersPerStatement = USERS_PER_STATEMENT,
  ) {}

  /** Runs each form of the statement once on `client` with values that match nothing, so it is parsed and planned there. */
  async prepare(client: pg.PoolClient): Promise<void> {
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
  }

  /** The lists of `externalIds`, users `model` knows. */
  async rank(pool: Queryable, model: LoadedModel, externalIds: string[], request: ListShape): Promise<Map<string, RankedProducts>> {
    const unseen = await this.unseenProducts(model);
    const size = this.usersPerStatement;
    if (externalIds.length <= size) return this.rankChunk(pool, model, unseen, externalIds, request);
    const chunks: string[][] = [];
    for (let k = 0; k < externalIds.length; k += size) chunks.push(externalIds.slice(k, k + size));
    const parts = await Promise.all(chunks.map((chunk) => this.rankChunk(pool, model, unseen, chunk, request)));
    return new Map(parts.flatMap((part) => [...part]));
  }

  private async rankChunk(
    pool: Queryable,
    model: LoadedModel,
    unseen: UnseenProducts,
    externalIds: string[],
    request: ListShape,
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
    const shape = { category: request.category !== null, cursor: request.after !== null, single, matrix: request.matrix };
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
      if (product) entry.items.push({ product, score: Math.min(maxRating, Math.max(minRating, row.rating!)), rankScore: row.score!, reason: 'PERSONALIZED' });
    }
    return ranked;
  }

  /**
   * `productIds` (internal ids: the promoted products) as candidates of each of `userIds` (internal ids)
   * the matrix ranks, where they may be shown to the user: by user id, in no order.
   */
  async candidatesOf(
    pool: Queryable,
    model: LoadedModel,
    userIds: number[],
    productIds: number[],
    category: string | null,
    matrix?: string,
  ): Promise<Map<number, ScoredProduct[]>> {
    const { rows } = await pool.query<{ userId: number; score: number; rating: number } & ProductRef>({
      name: matrix ? `promoted-candidates-${matrix}` : 'promoted-candidates',
      text: promotedCandidatesSql(matrix),
      values: [userIds, productIds, category],
    });
    const products = await this.products.resolve(rows);
    const { minRating, maxRating } = model.model.config;
    const byUser = new Map<number, ScoredProduct[]>();
    for (const row of rows) {
      const product = products.get(row.id);
      if (!product) continue;
      let items = byUser.get(row.userId);
      if (!items) byUser.set(row.userId, (items = []));
      items.push({ product, score: Math.min(maxRating, Math.max(minRating, row.rating)), rankScore: row.score, reason: 'PERSONALIZED' });
    }
    return byUser;
  }

  /** The products the model has not seen, listed again every few seconds (and for each new model). */
  async unseenProducts(model: LoadedModel): Promise<UnseenProducts> {
    const current = this.unseen.get(model.runId);
    if (current && Date.now() - current.listedAt < UNSEEN_TTL_MS) return current;
    let listing = this.unseenPending.get(model.runId);
    if (!listing) {
      listing = this.listUnseen(model).finally(() => this.unseenPending.delete(model.runId));
      this.unseenPending.set(model.runId, listing);
    }
    if (!current) return listing;
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
    const listed = { runId: model.runId, ids, watermark, internalIds, listedAt: Date.now() };
    // Models no longer served are forgotten: at most a few (the active one and an experiment's variants) are kept.
    if (this.unseen.size >= MAX_MODELS_LISTED) this.unseen.delete(this.unseen.keys().next().value!);
    this.unseen.delete(model.runId);
    this.unseen.set(model.runId, listed);
    return listed;
  }

  invalidate(): void {
    this.unseen.clear();
  }
}
