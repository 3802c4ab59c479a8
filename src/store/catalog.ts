// Users, products and ratings: the store's operations the API maps onto.
// Plain CRUD goes through Prisma; batch and hot paths use src/store/sql.ts.
import type pg from 'pg';
import type { PrismaClient, User, Product, Rating } from './generated/prisma/client.js';
import {
  ratingsPageSql,
  ratingCountsSql,
  UPSERT_RATING_SQL,
  eraseSql,
  MOVE_IMPRESSIONS_SQL,
  USERS_BY_EXTERNAL_IDS_SQL,
  PRODUCTS_BY_IDS_SQL,
  PRODUCTS_BY_EXTERNAL_IDS_SQL,
  UPSERT_PRODUCTS_SQL,
  UPSERT_USERS_SQL,
  MERGE_VISITOR_SQL,
} from './sql.js';
import { inTransaction } from './transaction.js';
import { eraseFromVariantMatrices } from '../experiments/variant-matrices.js';

export type { User, Product, Rating };
export type RatingOwner = 'user' | 'product';

export interface KeysetCursor {
  updatedAt: Date;
  otherId: number;
}

export interface UserInput {
  externalId: string;
  name?: string | null;
  attributes?: object | null;
}

export interface ProductInput {
  externalId: string;
  name: string;
  category?: string | null;
  price?: number | null;
  attributes?: object | null;
  available?: boolean | null;
  repurchasable?: boolean | null;
}

export class Catalog {
  constructor(
    readonly prisma: PrismaClient,
    private readonly pool: pg.Pool,
    /** Where lookups by id may be read (a replica, src/store/read-replicas.ts); the primary without. */
    private readonly reads?: { pool(): pg.Pool },
  ) {}

  usersByIds(ids: readonly number[]): Promise<User[]> {
    return this.prisma.user.findMany({ where: { id: { in: [...ids] } } });
  }

  /**
   * Rows by key from a replica when there is one; the keys it does not have (a row made a moment ago on
   * the primary) are read again from the primary, so what was just written is found.
   */
  private async readByKeys<T>(name: string, text: string, keys: readonly unknown[], keyOf: (row: T) => unknown): Promise<T[]> {
    const replica = this.reads?.pool() ?? this.pool;
    const { rows } = await replica.query<T & pg.QueryResultRow>({ name, text, values: [keys] });
    if (replica === this.pool || rows.length === new Set(keys).size) return rows;
    const found = new Set(rows.map(keyOf));
    const missing = keys.filter((key) => !found.has(key));
    return [...rows, ...(await this.pool.query<T & pg.QueryResultRow>({ name, text, values: [missing] })).rows];
  }

  usersByExternalIds(externalIds: readonly string[]): Promise<User[]> {
    return this.readByKeys<User>('users-by-external-ids', USERS_BY_EXTERNAL_IDS_SQL, externalIds, (u) => u.externalId);
  }

  productsByIds(ids: readonly number[]): Promise<Product[]> {
    return this.readByKeys<Product>('products-by-ids', PRODUCTS_BY_IDS_SQL, ids, (p) => p.id);
  }

  productsByExternalIds(externalIds: readonly string[]): Promise<Product[]> {
    return this.readByKeys<Product>('products-by-external-ids', PRODUCTS_BY_EXTERNAL_IDS_SQL, externalIds, (p) => p.externalId);
  }

  /** Users in id order after the internal id `afterId`; `limit` rows at most. */
  listUsers(afterId: number | null, limit: number): Promise<User[]> {
    return this.prisma.user.findMany({
      where: afterId === null ? {} : { id: { gt: afterId } },
      orderBy: { id: 'asc' },
      take: limit,
    });
  }

  countUsers(): Promise<number> {
    return this.prisma.user.count();
  }

  listProducts(afterId: number | null, limit: number, category: string | null): Promise<Product[]> {
    return this.prisma.product.findMany({
      where: { ...(afterId === null ? {} : { id: { gt: afterId } }), ...(category === null ? {} : { category }) },
      orderBy: { id: 'asc' },
      take: limit,
    });
  }

  countProducts(category: string | null): Promise<number> {
    return this.prisma.product.count({ where: category === null ? {} : { category } });
  }

  /** A page of ratings for each owner, newest first, in one statement. */
  async ratingsPages(owner: RatingOwner, ownerIds: readonly number[], limit: number, after: KeysetCursor | null): Promise<Map<number, Rating[]>> {
    const { rows } = await this.pool.query<Rating & { ownerId: number }>(ratingsPageSql(owner), [
      ownerIds,
      limit,
      after?.updatedAt ?? null,
      after?.otherId ?? null,
    ]);
    const pages = new Map<number, Rating[]>(ownerIds.map((id) => [id, []]));
    for (const { ownerId, ...rating } of rows) pages.get(ownerId)!.push(rating);
    return pages;
  }

  async ratingCounts(owner: RatingOwner, ownerIds: readonly number[]): Promise<Map<number, number>> {
    const { rows } = await this.pool.query<{ ownerId: number; n: number }>(ratingCountsSql(owner), [ownerIds]);
    return new Map(rows.map((r) => [r.ownerId, r.n]));
  }

  upsertUser(input: UserInput): Promise<User> {
    const data = {
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.attributes != null ? { attributes: input.attributes } : {}),
    };
    return this.prisma.user.upsert({
      where: { externalId: input.externalId },
      create: { externalId: input.externalId, ...data },
      update: { ...data, visitor: false },
    });
  }

  /** Creates or updates users in one statement (at most 1,000, distinct ids): all or none. Returns how many were written. */
  async upsertUsers(inputs: readonly UserInput[]): Promise<number> {
    const { rows } = await this.pool.query<{ updated: number; created: number }>(UPSERT_USERS_SQL, [
      inputs.map((u) => u.externalId),
      inputs.map((u) => u.name ?? null),
      inputs.map((u) => u.name !== undefined),
      inputs.map((u) => (u.attributes == null ? null : JSON.stringify(u.attributes))),
    ]);
    return rows[0].updated + rows[0].created;
  }

  /** Creates or updates products in one statement (at most 1,000, distinct ids): all or none. Returns how many were written. */
  async upsertProducts(inputs: readonly ProductInput[]): Promise<number> {
    const { rows } = await this.pool.query<{ updated: number; created: number }>(UPSERT_PRODUCTS_SQL, [
      inputs.map((p) => p.externalId),
      inputs.map((p) => p.name),
      inputs.map((p) => p.category ?? null),
      inputs.map((p) => p.category !== undefined),
      inputs.map((p) => p.price ?? null),
      inputs.map((p) => p.price !== undefined),
      inputs.map((p) => (p.attributes == null ? null : JSON.stringify(p.attributes))),
      inputs.map((p) => p.available ?? null),
      inputs.map((p) => p.repurchasable ?? null),
    ]);
    return rows[0].updated + rows[0].created;
  }

  /**
   * Moves a visitor's history to an account and erases the visitor, in one transaction. `notAVisitor` when
   * the id is a user the shop created (accounts are not merged), `noAccount` when the account does not exist.
   */
  async mergeVisitor(visitorExternalId: string, userExternalId: string): Promise<{ events: number; ratings: number } | 'noAccount' | 'notAVisitor'> {
    return inTransaction(this.pool, async (client) => {
      const { rows } = await client.query<{ id: number; visitor: boolean; external_id: string }>(
        'SELECT id, visitor, external_id FROM users WHERE external_id = ANY($1::text[]) FOR UPDATE',
        [[visitorExternalId, userExternalId]],
      );
      const account = rows.find((r) => r.external_id === userExternalId);
      const visitor = rows.find((r) => r.external_id === visitorExternalId);
      if (!account) return 'noAccount';
      if (!visitor) return { events: 0, ratings: 0 };
      if (!visitor.visitor) return 'notAVisitor';
      const moved = await client.query<{ events: number; ratings: number }>(MERGE_VISITOR_SQL, [visitor.id, account.id]);
      await client.query(MOVE_IMPRESSIONS_SQL, [visitorExternalId, userExternalId]);
      await client.query(eraseSql('users'), [visitorExternalId]);
      return moved.rows[0];
    });
  }

  upsertProduct(input: ProductInput): Promise<Product> {
    const data = {
      name: input.name,
      ...(input.category !== undefined ? { category: input.category } : {}),
      ...(input.price !== undefined ? { price: input.price } : {}),
      ...(input.attributes != null ? { attributes: input.attributes } : {}),
      ...(input.available != null ? { available: input.available } : {}),
      ...(input.repurchasable != null ? { repurchasable: input.repurchasable } : {}),
    };
    return this.prisma.product.upsert({
      where: { externalId: input.externalId },
      create: { externalId: input.externalId, ...data },
      update: data,
    });
  }

  /** Records (or replaces) a rating; null when the user or product is unknown. */
  async rate(userExternalId: string, productExternalId: string, value: number): Promise<Rating | null> {
    const { rows } = await this.pool.query<Rating>(UPSERT_RATING_SQL, [userExternalId, productExternalId, value]);
    return rows[0] ?? null;
  }

  /**
   * Erases a user or a product: the row, and with it (cascading) its ratings and events, and its rows of
   * the prediction matrix (and a user's served lists), in one statement; then its rows of the experiments'
   * variant matrices, which are never served without the user or product. False when there was none.
   */
  async erase(table: 'users' | 'products', externalId: string): Promise<boolean> {
    const { rows } = await this.pool.query<{ erased: number; id: number | null }>(eraseSql(table), [externalId]);
    if (rows[0].id === null) return false;
    await eraseFromVariantMatrices(this.pool, table === 'users' ? 'user_id' : 'product_id', rows[0].id);
    return true;
  }

  /** Deletes a rating by internal ids; false when there was none. */
  async deleteRating(userId: number, productId: number): Promise<boolean> {
    const { count } = await this.prisma.rating.deleteMany({ where: { userId, productId } });
    return count > 0;
  }
}
