// Users, products and ratings: a thin map from schema.graphql onto src/store/catalog.ts.
import type { Resolvers, QueryResolvers, MutationResolvers, UpsertProductInput, UpsertUserInput } from '../generated/graphql.js';
import type { ApiContext } from '../context.js';
import type { Rating, RatingOwner, KeysetCursor, ProductInput, UserInput } from '../../store/catalog.js';
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

/** Writes of users or products in one call, at most. */
export const MAX_UPSERTS_PER_CALL = 1_000;

/** A checked UpsertUserInput, as the store takes it; `at` names it in errors. */
function userInput(input: UpsertUserInput, at: string): UserInput {
  check(idProblem(input.id, `${at}.id`), `${at}.id`);
  check(textProblem(input.name, `${at}.name`, MAX_NAME_LENGTH, false), `${at}.name`);
  check(attributesProblem(input.attributes, `${at}.attributes`), `${at}.attributes`);
  return { externalId: input.id, name: input.name, attributes: input.attributes as object | null | undefined };
}

/** A checked UpsertProductInput, as the store takes it; `at` names it in errors. */
function productInput(input: UpsertProductInput, at: string): ProductInput {
  check(idProblem(input.id, `${at}.id`), `${at}.id`);
  check(textProblem(input.name, `${at}.name`, MAX_NAME_LENGTH, true), `${at}.name`);
  check(textProblem(input.category, `${at}.category`, MAX_CATEGORY_LENGTH, false), `${at}.category`);
  if (input.price != null && (!Number.isFinite(input.price) || input.price < 0))
    throw badInput(`${at}.price must be a number ≥ 0, got ${input.price}`, `${at}.price`);
  check(attributesProblem(input.attributes, `${at}.attributes`), `${at}.attributes`);
  return {
    externalId: input.id,
    name: input.name,
    category: input.category,
    price: input.price,
    attributes: input.attributes as object | null | undefined,
    available: input.available,
    repurchasable: input.repurchasable,
  };
}

/** The inputs of a bulk write, checked: at most MAX_UPSERTS_PER_CALL, ids distinct. */
function bulkInputs<I extends { id: string }, T>(inputs: readonly I[], what: string, toInput: (input: I, at: string) => T): T[] {
  if (inputs.length > MAX_UPSERTS_PER_CALL) {
    throw badInput(
      `${what} takes at most ${MAX_UPSERTS_PER_CALL} inputs a call, got ${inputs.length}; send several calls or use \`npm run cli -- import\``,
      'inputs',
    );
  }
  const seen = new Set<string>();
  return inputs.map((input, k) => {
    if (seen.has(input.id)) throw badInput(`inputs[${k}].id ${JSON.stringify(input.id)} is given twice; nothing was written`, 'inputs');
    seen.add(input.id);
    return toInput(input, `inputs[${k}]`);
  });
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
  upsertUser: (_, { input }, ctx) => ctx.catalog.upsertUser(userInput(input, 'input')),
  upsertProduct: (_, { input }, ctx) => ctx.catalog.upsertProduct(productInput(input, 'input')),
  upsertUsers: (_, { inputs }, ctx) => ctx.catalog.upsertUsers(bulkInputs(inputs, 'upsertUsers', userInput)),
  upsertProducts: (_, { inputs }, ctx) => ctx.catalog.upsertProducts(bulkInputs(inputs, 'upsertProducts', productInput)),
  mergeVisitor: async (_, { visitorId, userId }, ctx) => {
    check(idProblem(visitorId, 'visitorId'), 'visitorId');
    check(idProblem(userId, 'userId'), 'userId');
    if (visitorId === userId) throw badInput('visitorId and userId are the same user', 'visitorId');
    const merged = await ctx.catalog.mergeVisitor(visitorId, userId);
    if (merged === 'noAccount') throw notFound(`No user with id "${userId}": create the account first (upsertUser), then merge the visitor into it.`);
    if (merged === 'notAVisitor') throw badInput(`"${visitorId}" is an account the shop created, not a visitor: accounts are not merged.`, 'visitorId');
    ctx.loaders.userByExternalId.clear(userId);
    return userOrNotFound(ctx, userId);
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
