// Recommendations, unrated scores and neighbours: a thin map onto
// src/serving/recommender.ts through the per-request loaders.
import type { Resolvers, QueryResolvers, UserResolvers } from '../generated/graphql.js';
import type { ApiContext } from '../context.js';
import type { RecommendationList, RankCursor, ServedRecommendation } from '../../serving/types.js';
import { idProblem, textProblem, MAX_CATEGORY_LENGTH } from '../../store/validation.js';
import { check, checkScope, badInput, notFound } from '../errors.js';
import { parseListRules, type ListRules, type ListRulesInput } from '../../rules/list-rules.js';
import { NO_ONE } from '../../serving/recommender.js';
import type { TogetherKind } from '../../serving/sources/together.js';
import { unratedPageWithFilters } from '../../rules/apply-rules.js';
import { pageSize, encodeCursor, decodeCursor, isId, connectionFrom, countResolver } from '../pagination.js';

export const MAX_RECOMMENDATIONS = 100;
export const MAX_USERS_PER_BATCH = 1_000;

function categoryArg(category: string | null | undefined): string | null {
  check(textProblem(category ?? null, 'category', MAX_CATEGORY_LENGTH, false), 'category');
  return category ?? null;
}

function rulesArg(input: ListRulesInput | null | undefined): ListRules {
  const rules = parseListRules(input);
  if (typeof rules === 'string') throw badInput(rules, 'rules');
  return rules;
}

/** Where a list's source is the model: its lists count for the run in onlineMetrics; others by their kind. */
const MODEL_REASONS: ReadonlySet<string> = new Set(['PERSONALIZED', 'FOLDED_IN', 'FEATURES']);

/** The list as served: remembered for attribution (src/attribution/impressions.ts) under an id each item carries. */
function served(ctx: ApiContext, userId: string | null, list: RecommendationList): ServedRecommendation[] {
  const { items } = list;
  if (items.length === 0) return [];
  const recommendationId = ctx.impressions.record({
    userId,
    runId: MODEL_REASONS.has(items[0].reason) ? list.runId : null,
    source: items[0].reason,
    productIds: items.map((item) => item.product.id),
    experiment: list.experiment,
  });
  return items.map((item) => ({ ...item, recommendationId, position: item.rank }));
}

async function recommendationsOf(
  ctx: ApiContext,
  externalId: string,
  first: number,
  category: string | null,
  rules: ListRules,
): Promise<ServedRecommendation[]> {
  const list = await ctx.loaders.recommendations.load({ externalId, first, category, rules });
  if (!list) throw notFound(`No user with id "${externalId}".`);
  return served(ctx, externalId === NO_ONE ? null : externalId, list);
}

async function togetherOf(ctx: ApiContext, productId: string, kind: TogetherKind, first: number | null | undefined): Promise<ServedRecommendation[]> {
  check(idProblem(productId, 'productId'), 'productId');
  const limit = pageSize(first, MAX_RECOMMENDATIONS, 10);
  const product = await ctx.loaders.productByExternalId.load(productId);
  if (!product) throw notFound(`No product with id "${productId}".`);
  const items = await ctx.recommender.together(product, kind, limit);
  return served(ctx, null, { items: items.map((item, k) => ({ ...item, rank: k + 1, boosted: false })), runId: null, experiment: null });
}

/** [rank score, product id], and for a popular list the ranking snapshot's version, or past a top-K matrix's stored list 'beyond'. */
type ScoreCursor = [number, number] | [number, number, number | 'beyond'];
const isScoreCursor = (v: unknown): v is ScoreCursor =>
  Array.isArray(v) && (v.length === 2 || (v.length === 3 && (isId(v[2]) || v[2] === 'beyond'))) && Number.isFinite(v[0]) && isId(v[1]);

const Query: QueryResolvers<ApiContext> = {
  recommendations: (_, { userId, first, category, rules }, ctx) => {
    check(idProblem(userId, 'userId'), 'userId');
    checkScope(ctx.caller, [userId]);
    return recommendationsOf(ctx, userId, pageSize(first, MAX_RECOMMENDATIONS, 10), categoryArg(category), rulesArg(rules));
  },
  popularProducts: (_, { first, category }, ctx) =>
    recommendationsOf(ctx, NO_ONE, pageSize(first, MAX_RECOMMENDATIONS, 10), categoryArg(category), rulesArg(null)),
  trendingProducts: (_, { first, category }, ctx) =>
    recommendationsOf(ctx, NO_ONE, pageSize(first, MAX_RECOMMENDATIONS, 10), categoryArg(category), rulesArg({ trending: true })),
  recommendationsForUsers: async (_, { userIds, first, category, rules }, ctx) => {
    if (userIds.length > MAX_USERS_PER_BATCH) {
      throw badInput(`recommendationsForUsers takes at most ${MAX_USERS_PER_BATCH} users per call, got ${userIds.length}`, 'userIds');
    }
    userIds.forEach((id, i) => check(idProblem(id, `userIds[${i}]`), 'userIds'));
    checkScope(ctx.caller, userIds);
    const limit = pageSize(first, MAX_RECOMMENDATIONS, 10);
    const shape = { first: limit, category: categoryArg(category), rules: rulesArg(rules) };
    // Both loaders dispatch on the same tick: the users' statement runs beside the recommendations'.
    const [lists, users] = await Promise.all([
      ctx.loaders.recommendations.loadMany(userIds.map((externalId) => ({ externalId, ...shape }))),
      ctx.loaders.userByExternalId.loadMany(userIds),
    ]);
    const missing = userIds.filter((_, i) => lists[i] === null || users[i] === null);
    if (missing.length > 0) {
      const shown =
        missing
          .slice(0, 5)
          .map((id) => `"${id}"`)
          .join(', ') + (missing.length > 5 ? ` and ${missing.length - 5} more` : '');
      throw notFound(`No user with id ${shown}.`);
    }
    return Promise.all(
      userIds.map(async (externalId, i) => {
        const recommendations = lists[i];
        const user = users[i];
        if (recommendations instanceof Error) throw recommendations;
        if (user instanceof Error) throw user;
        return { user: user!, recommendations: served(ctx, externalId, recommendations!) };
      }),
    );
  },
  unratedProductScores: async (_, args, ctx) => {
    check(idProblem(args.userId, 'userId'), 'userId');
    checkScope(ctx.caller, [args.userId]);
    const limit = pageSize(args.first);
    const category = categoryArg(args.category);
    const cursor = decodeCursor('scored', args.after, isScoreCursor);
    const after: RankCursor | null = cursor
      ? { score: cursor[0], productId: cursor[1], ...(cursor[2] === 'beyond' ? { beyond: true } : { popularVersion: cursor[2] }) }
      : null;
    const rules = rulesArg(args.rules);
    if (rules.maxPerCategory !== null || rules.trending) {
      throw badInput('rules.maxPerCategory and rules.trending reorder a list, which paging cannot follow: use them with recommendations', 'rules');
    }
    const page = await unratedPageWithFilters(ctx.recommender, { externalId: args.userId, limit: limit + 1, category, after, model: await ctx.model() }, rules);
    if (!page) throw notFound(`No user with id "${args.userId}".`);
    const { ranked, items } = page;
    for (const item of items) ctx.loaders.productById.prime(item.product.id, item.product);
    return connectionFrom(
      items,
      limit,
      (item) => {
        if (item.beyond) return encodeCursor('scored', [item.rankScore, item.product.id, 'beyond']);
        return encodeCursor(
          'scored',
          ranked.popularVersion === undefined ? [item.rankScore, item.product.id] : [item.rankScore, item.product.id, ranked.popularVersion],
        );
      },
      () => ctx.recommender.unratedCount(ranked.userId, category),
    );
  },
  productsBoughtTogether: (_, { productId, first }, ctx) => togetherOf(ctx, productId, 'purchase', first),
  productsViewedTogether: (_, { productId, first }, ctx) => togetherOf(ctx, productId, 'view', first),
  similarProducts: async (_, { productId, first }, ctx) => {
    check(idProblem(productId, 'productId'), 'productId');
    const limit = pageSize(first, MAX_RECOMMENDATIONS, 10);
    if (!(await ctx.loaders.productByExternalId.load(productId))) throw notFound(`No product with id "${productId}".`);
    const similar = await ctx.recommender.similarProducts(productId, limit, await ctx.model());
    return similar.map(({ node, similarity }) => ({ product: node, similarity }));
  },
  similarUsers: async (_, { userId, first }, ctx) => {
    check(idProblem(userId, 'userId'), 'userId');
    const limit = pageSize(first, MAX_RECOMMENDATIONS, 10);
    if (!(await ctx.loaders.userByExternalId.load(userId))) throw notFound(`No user with id "${userId}".`);
    const similar = await ctx.recommender.similarUsers(userId, limit, await ctx.model());
    return similar.map(({ node, similarity }) => ({ user: node, similarity }));
  },
};

const User: UserResolvers<ApiContext> = {
  recommendations: (user, { first, category, rules }, ctx) =>
    recommendationsOf(ctx, user.externalId, pageSize(first, MAX_RECOMMENDATIONS, 10), categoryArg(category), rulesArg(rules)),
};

export const servingResolvers: Resolvers<ApiContext> = {
  Query,
  User,
  ScoredProductConnection: countResolver,
};
