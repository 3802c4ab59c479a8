// onlineMetrics: a thin map onto src/attribution/online-metrics.ts.
import type { Resolvers } from '../generated/graphql.js';
import type { ApiContext } from '../context.js';
import { onlineMetrics, type OnlineGrouping } from '../../attribution/online-metrics.js';
import { badInput } from '../errors.js';

/** The longest span one call reads. */
const MAX_DAYS = 366;

export const attributionResolvers: Resolvers<ApiContext> = {
  Query: {
    onlineMetrics: async (_, { from, to, groupBy }, ctx) => {
      const [start, end] = [new Date(from), new Date(to)];
      if (!(end > start)) throw badInput('`to` must be after `from`', 'to');
      if (end.getTime() - start.getTime() > MAX_DAYS * 86_400_000) throw badInput(`at most ${MAX_DAYS} days a call`, 'to');
      // This instance's latest lists count at once; other instances' within a second.
      await ctx.impressions.flush();
      return onlineMetrics(ctx.pool, start, end, ctx.config.attributionWindowHours, (groupBy ?? 'MODEL').toLowerCase() as OnlineGrouping);
    },
  },
};
