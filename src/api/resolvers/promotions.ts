// setPromotion, endPromotion, promotions: a thin map onto src/rules/promotions.ts.
import type { Resolvers } from '../generated/graphql.js';
import type { ApiContext } from '../context.js';
import { promotionProblem } from '../../rules/promotions.js';
import { idProblem } from '../../store/validation.js';
import { badInput, check, notFound } from '../errors.js';
import { isId } from '../pagination.js';

export const promotionResolvers: Resolvers<ApiContext> = {
  Query: {
    promotions: (_, __, ctx) => ctx.promotions.current(),
  },
  Mutation: {
    setPromotion: async (_, { input }, ctx) => {
      input.productIds.forEach((id, k) => check(idProblem(id, `input.productIds[${k}]`), 'input.productIds'));
      const startsAt = input.startsAt == null ? new Date() : new Date(input.startsAt);
      const endsAt = new Date(input.endsAt);
      check(promotionProblem({ productIds: input.productIds, factor: input.factor, startsAt, endsAt }), 'input');
      const products = await ctx.loaders.productByExternalId.loadMany(input.productIds);
      const missing = input.productIds.filter((_, k) => !products[k] || products[k] instanceof Error);
      if (missing.length > 0)
        throw notFound(
          `No product with id ${missing
            .slice(0, 5)
            .map((id) => JSON.stringify(id))
            .join(', ')}${missing.length > 5 ? ` and ${missing.length - 5} more` : ''}.`,
        );
      const productIds = [...new Set(products.map((p) => (p as { id: number }).id))];
      return ctx.promotions.set({ productIds, factor: input.factor, startsAt, endsAt });
    },
    endPromotion: async (_, { id }, ctx) => {
      const key = Number(id);
      if (!isId(key)) throw badInput(`id must be a promotion's id, got ${JSON.stringify(id)}`, 'id');
      const ended = await ctx.promotions.end(key);
      if (!ended) throw notFound(`No promotion with id "${id}".`);
      return ended;
    },
  },
  Promotion: {
    id: (promotion) => String(promotion.id),
    // Products deleted since are left out.
    products: async (promotion, _, ctx) => {
      const products = await ctx.loaders.productById.loadMany(promotion.productIds);
      return products.filter((p): p is Exclude<(typeof products)[number], Error | null> => p !== null && !(p instanceof Error));
    },
  },
};
