// Users, products and ratings: the store's operations the API maps onto.
// Plain CRUD goes through Prisma; batch and hot paths use src/store/sql.ts.
import type pg from 'pg';
import type { PrismaClient, User, Product, Rating } from './generated/prisma/client.js';
import { ratingsPageSql, ratingCountsSql, UPSERT_RATING_SQL, USERS_BY_EXTERNAL_IDS_SQL } from './sql.js';

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
}

export class Catalog {
  constructor(
    readonly prisma: PrismaClient,
    private readonly pool: pg.Pool,
  ) {}

  usersByIds(ids: readonly number[]): Promise<User[]> {
    return this.prisma.user.findMany({ where: { id: { in: [...ids] } } });
  }

  async usersByExternalIds(externalIds: readonly string[]): Promise<User[]> {
    const { rows } = await this.pool.query<User>({ name: 'users-by-external-ids', text: USERS_BY_EXTERNAL_IDS_SQL, values: [externalIds] });
    return rows;
  }

  productsByIds(ids: readonly number[]): Promise<Product[]> {
    return this.prisma.product.findMany({ where: { id: { in: [...ids] } } });
  }

  productsByExternalIds(externalIds: readonly string[]): Promise<Product[]> {
    return this.prisma.product.findMany({ where: { externalId: { in: [...externalIds] } } });
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
  async ratingsPages(
    owner: RatingOwner,
    ownerIds: readonly number[],
    limit: number,
    after: KeysetCursor | null,
  ): Promise<Map<number, Rating[]>> {
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
      update: data,
    });
  }

  upsertProduct(input: ProductInput): Promise<Product> {
    const data = {
      name: input.name,
      ...(input.category !== undefined ? { category: input.category } : {}),
      ...(input.price !== undefined ? { price: input.price } : {}),
      ...(input.attributes != null ? { attributes: input.attributes } : {}),
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

  /** Deletes a rating by internal ids; false when there was none. */
  async deleteRating(userId: number, productId: number): Promise<boolean> {
    const { count } = await this.prisma.rating.deleteMany({ where: { userId, productId } });
    return count > 0;
  }
}
