// Users, products and ratings: a thin map from schema.graphql onto src/store/catalog.ts.
import type { Resolvers, QueryResolvers, MutationResolvers } from '../generated/graphql.js';
import type { ApiContext } from '../context.js';
import type { Rating, RatingOwner, KeysetCursor } from '../../store/catalog.js';
import { idProblem, textProblem, ratingProblem, attributesProblem, MAX_NAME_LENGTH, MAX_CATEGORY_LENGTH } from '../../store/validation.js';
import { check, badInput, notFound } from '../errors.js';
import { pageSize, encodeCursor, decodeCursor, isId, connectionFrom, countResolver } from '../pagination.js';

async function userOrNotFound(ctx: ApiContext, id: string) {
  check(idProblem(id, 'userId'), 'userId');
  const user = await ctx.loaders.userByExternalId.load(id);
  if (!user) throw notFound(`No user with id "${id}".`);
  return user;
}

async function productOrNotFound(ctx: ApiContext, id: string) {
  check(idProblem(id, 'productId'), 'productId');
  const product = await ctx.loaders.productByExternalId.load(id);
  if (!product) throw notFound(`No product with id "${id}".`);
  return product;
}

type RatingCursor = [string, number];
const isRatingCursor = (v: unknown): v is RatingCursor =>
  Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && !Number.isNaN(Date.parse(v[0])) && isId(v[1]);

function ratingsConnection(owner: RatingOwner) {
  return async (parent: { id: number }, args: { first?: number | null; after?: string | null }, ctx: ApiContext) => {
    const limit = pageSize(args.first);
    const cursor = decodeCursor('rating', args.after, isRatingCursor);
    const after: KeysetCursor | null = cursor ? { updatedAt: new Date(cursor[0]), otherId: cursor[1] } : null;
    const rows = await ctx.loaders.ratingsPage.load({ owner, ownerId: parent.id, limit: limit + 1, after });
    const otherId = (r: Rating) => (owner === 'user' ? r.productId : r.userId);
    return connectionFrom(
      rows,
      limit,
      (r) => encodeCursor('rating', [r.updatedAt.toISOString(), otherId(r)]),
      () => ctx.loaders.ratingCount.load({ owner, ownerId: parent.id }),
    );
  };
}

const Query: QueryResolvers<ApiContext> = {
  user: (_, { id }, ctx) => {
    check(idProblem(id), 'id');
    return ctx.loaders.userByExternalId.load(id);
  },
  product: (_, { id }, ctx) => {
    check(idProblem(id), 'id');
    return ctx.loaders.productByExternalId.load(id);
  },
  users: async (_, args, ctx) => {
    const limit = pageSize(args.first);
    const after = decodeCursor('user', args.after, isId);
    const rows = await ctx.catalog.listUsers(after, limit + 1);
    for (const user of rows) ctx.loaders.userById.prime(user.id, user);
    return connectionFrom(
      rows,
      limit,
      (u) => encodeCursor('user', u.id),
      () => ctx.catalog.countUsers(),
    );
  },
  products: async (_, args, ctx) => {
    const limit = pageSize(args.first);
    const after = decodeCursor('product', args.after, isId);
    const category = args.category ?? null;
    check(textProblem(category, 'category', MAX_CATEGORY_LENGTH, false), 'category');
    const rows = await ctx.catalog.listProducts(after, limit + 1, category);
    for (const product of rows) ctx.loaders.productById.prime(product.id, product);
    return connectionFrom(
      rows,
      limit,
      (p) => encodeCursor('product', p.id),
      () => ctx.catalog.countProducts(category),
    );
  },
};

const Mutation: MutationResolvers<ApiContext> = {
  upsertUser: (_, { input }, ctx) => {
    check(idProblem(input.id, 'input.id'), 'input.id');
    check(textProblem(input.name, 'input.name', MAX_NAME_LENGTH, false), 'input.name');
    check(attributesProblem(input.attributes, 'input.attributes'), 'input.attributes');
    return ctx.catalog.upsertUser({
      externalId: input.id,
      name: input.name,
      attributes: input.attributes as object | null | undefined,
    });
  },
  upsertProduct: (_, { input }, ctx) => {
    check(idProblem(input.id, 'input.id'), 'input.id');
    check(textProblem(input.name, 'input.name', MAX_NAME_LENGTH, true), 'input.name');
    check(textProblem(input.category, 'input.category', MAX_CATEGORY_LENGTH, false), 'input.category');
    if (input.price != null && (!Number.isFinite(input.price) || input.price < 0)) {
      throw badInput(`input.price must be a number ≥ 0, got ${input.price}`, 'input.price');
    }
    check(attributesProblem(input.attributes, 'input.attributes'), 'input.attributes');
    return ctx.catalog.upsertProduct({
      externalId: input.id,
      name: input.name,
      category: input.category,
      price: input.price,
      attributes: input.attributes as object | null | undefined,
      available: input.available,
      repurchasable: input.repurchasable,
    });
  },
  deleteUser: (_, { id }, ctx) => {
    check(idProblem(id), 'id');
    return ctx.catalog.erase('users', id);
  },
  deleteProduct: (_, { id }, ctx) => {
    check(idProblem(id), 'id');
    return ctx.catalog.erase('products', id);
  },
  rateProduct: async (_, { userId, productId, rating }, ctx) => {
    check(idProblem(userId, 'userId'), 'userId');
    check(idProblem(productId, 'productId'), 'productId');
    check(ratingProblem(rating, await ctx.ratingScale.get()), 'rating');
    const saved = await ctx.catalog.rate(userId, productId, rating);
    if (saved) return saved;
    // Nothing was written; say which side is missing.
    await userOrNotFound(ctx, userId);
    await productOrNotFound(ctx, productId);
    throw notFound(`Could not rate product "${productId}" for user "${userId}".`);
  },
  deleteRating: async (_, { userId, productId }, ctx) => {
    check(idProblem(userId, 'userId'), 'userId');
    check(idProblem(productId, 'productId'), 'productId');
    const user = await userOrNotFound(ctx, userId);
    const product = await productOrNotFound(ctx, productId);
    return ctx.catalog.deleteRating(user.id, product.id);
  },
};

export const catalogResolvers: Resolvers<ApiContext> = {
  Query,
  Mutation,
  User: {
    id: (user) => user.externalId,
    attributes: (user) => user.attributes ?? {},
    ratings: ratingsConnection('user'),
  },
  Product: {
    id: (product) => product.externalId,
    attributes: (product) => product.attributes ?? {},
    ratings: ratingsConnection('product'),
  },
  UserConnection: countResolver,
  ProductConnection: countResolver,
  RatingConnection: countResolver,
  Rating: {
    user: async (rating, _, ctx) => (await ctx.loaders.userById.load(rating.userId))!,
    product: async (rating, _, ctx) => (await ctx.loaders.productById.load(rating.productId))!,
  },
};
