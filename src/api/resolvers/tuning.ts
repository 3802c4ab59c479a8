// tune, promoteConfig, tuningSearches, trainingDefaults: a thin map onto src/tuning.
import type { Resolvers } from '../generated/graphql.js';
import type { ApiContext } from '../context.js';
import type { TrainingConfig } from '../../model/config.js';
import { SearchSpaceError, TuneRequestError, trialMetric, type TuneMetric } from '../../tuning/tuner.js';
import { readStoredDefaults, storeDefaults } from '../../tuning/stored-defaults.js';
import { badInput } from '../errors.js';
import { pageSize } from '../pagination.js';
import { checkedConfigInput, requireRun, upper } from './training.js';

const searchId = (id: string) => {
  if (!/^\d{1,9}$/.test(id)) throw badInput(`id must be a search number, got "${id}"`, 'id');
  return Number(id);
};

export const tuningResolvers: Resolvers<ApiContext> = {
  Query: {
    tuningSearches: (_, { first }, ctx) => ctx.catalog.prisma.tuningSearch.findMany({ orderBy: { id: 'desc' }, take: pageSize(first) }),
    tuningSearch: (_, { id }, ctx) => ctx.catalog.prisma.tuningSearch.findUnique({ where: { id: searchId(id) } }),
    trainingDefaults: (_, __, ctx) => readStoredDefaults(ctx.pool),
  },
  Mutation: {
    tune: async (_, { input }, ctx) => {
      const base = checkedConfigInput(input.base, ctx, 'input.base') as Partial<TrainingConfig>;
      try {
        return await ctx.scheduler.requestTune({
          trials: input.trials,
          space: input.space ?? undefined,
          metric: input.metric ?? undefined,
          budgetSeconds: input.budgetSeconds,
          base,
          seed: input.seed ?? undefined,
        });
      } catch (error) {
        if (error instanceof SearchSpaceError) throw badInput(error.message, 'input.space');
        if (error instanceof TuneRequestError) throw badInput(error.message, 'input');
        throw error;
      }
    },
    promoteConfig: async (_, { runId }, ctx) => {
      const run = await requireRun(ctx, runId);
      const model = (run.config as { model?: TrainingConfig }).model;
      if (!model || run.status === 'queued') throw badInput(`Run ${runId} has not started: it has no configuration to promote yet.`, 'runId');
      ctx.log.info({ runId: run.id }, 'training configuration promoted to the stored default');
      return storeDefaults(ctx.pool, model);
    },
  },
  TuningSearch: {
    id: (s) => String(s.id),
    status: (s) => upper(s.status),
    runs: (s, _, ctx) => ctx.catalog.prisma.modelRun.findMany({ where: { searchId: s.id }, orderBy: { id: 'asc' } }),
    best: (s, _, ctx) => (s.bestRunId ? ctx.catalog.prisma.modelRun.findUnique({ where: { id: s.bestRunId } }) : null),
    default: (s, _, ctx) => (s.defaultRunId ? ctx.catalog.prisma.modelRun.findUnique({ where: { id: s.defaultRunId } }) : null),
    margin: async (s, _, ctx) => {
      if (!s.bestRunId || !s.defaultRunId) return null;
      const [best, fallback] = await Promise.all([s.bestRunId, s.defaultRunId].map((id) => ctx.catalog.prisma.modelRun.findUnique({ where: { id } })));
      const [b, d] = [best, fallback].map((run) => (run ? trialMetric(run, s.metric as TuneMetric) : null));
      return b !== null && d !== null ? b - d : null;
    },
  },
  ModelRun: {
    searchId: (run) => (run.searchId === null ? null : String(run.searchId)),
  },
};
