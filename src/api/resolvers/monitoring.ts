// shopStats, trainingSchedule (and drift): a thin map onto src/monitoring and the scheduler.
import type { DriftMeasureName, Resolvers } from '../generated/graphql.js';
import type { ApiContext } from '../context.js';
import { MAX_GROWTH_DAYS } from '../../monitoring/shop-stats.js';
import { badInput } from '../errors.js';

export const monitoringResolvers: Resolvers<ApiContext> = {
  Query: {
    shopStats: (_, { days }, ctx) => {
      const window = days ?? 30;
      if (!Number.isInteger(window) || window < 1 || window > MAX_GROWTH_DAYS) throw badInput(`days must be 1 to ${MAX_GROWTH_DAYS}, got ${window}`, 'days');
      return ctx.monitoring.shopStats(window);
    },
    trainingSchedule: (_, __, ctx) => ctx.scheduler.nightlySchedule(),
    drift: async (_, __, ctx) => {
      const report = await ctx.monitoring.drift();
      if (!report) return null;
      return {
        ...report,
        runId: String(report.runId),
        measures: report.measures.map((m) => ({ ...m, name: upperSnake(m.name) as DriftMeasureName })),
      };
    },
  },
};

const upperSnake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase();
