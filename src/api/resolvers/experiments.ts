// A/B tests: a thin map onto src/experiments/experiments.ts.
import type { Resolvers } from '../generated/graphql.js';
import type { ApiContext } from '../context.js';
import type { Experiment } from '../../store/generated/prisma/client.js';
import {
  analyseExperiment,
  checkRequest,
  createExperiment,
  ExperimentProblem,
  stopExperiment,
  type ExperimentAnalysis,
  type ExperimentMetric,
} from '../../experiments/experiments.js';
import { badInput, conflict, notFound } from '../errors.js';
import { activateRun, parseRunId } from './training.js';

/** One analysis per experiment row and request, however many of its fields are asked for. */
const analyses = new WeakMap<Experiment, Promise<ExperimentAnalysis>>();
const analysisOf = (ctx: ApiContext, experiment: Experiment) => {
  let analysis = analyses.get(experiment);
  if (!analysis) {
    // This instance's latest lists count at once; other instances' within a second.
    analysis = ctx.impressions.flush().then(() => analyseExperiment(ctx.pool, experiment, ctx.config.attributionWindowHours));
    analyses.set(experiment, analysis);
  }
  return analysis;
};

function experimentId(id: string): number {
  const n = Number(id);
  if (!/^[1-9][0-9]{0,9}$/.test(id) || !Number.isSafeInteger(n) || n > 2 ** 31 - 1) throw badInput(`"${id}" is not an experiment id`, 'id');
  return n;
}

export const experimentResolvers: Resolvers<ApiContext> = {
  Query: {
    experiment: async (_, { id }, ctx) => {
      const experiment = await ctx.catalog.prisma.experiment.findUnique({ where: { id: experimentId(id) } });
      if (!experiment) throw notFound(`No experiment with id "${id}".`);
      return experiment;
    },
    experiments: (_, __, ctx) => ctx.catalog.prisma.experiment.findMany({ orderBy: { id: 'desc' }, take: 50 }),
  },
  Mutation: {
    startExperiment: async (_, { input }, ctx) => {
      const request = {
        name: input.name,
        variants: input.variants.map((v, k) => ({ name: v.name, runId: v.runId == null ? null : parseRunId(v.runId, `variants[${k}].runId`), share: v.share })),
        metric: (input.metric ?? 'CONVERSION').toLowerCase() as ExperimentMetric,
        minDetectableEffect: input.minDetectableEffect ?? 0.05,
      };
      try {
        await checkRequest(ctx.catalog.prisma, request);
      } catch (error) {
        if (error instanceof ExperimentProblem) throw badInput(error.message, error.argument);
        throw error;
      }
      const experiment = await createExperiment(ctx.catalog.prisma, request);
      if (!experiment) {
        const live = await ctx.catalog.prisma.experiment.findFirst({ where: { status: { in: ['preparing', 'running'] } } });
        throw conflict(`Experiment ${live?.id ?? ''} is already ${live?.status ?? 'running'}: stop it first (stopExperiment).`, {
          experimentId: String(live?.id ?? ''),
        });
      }
      await ctx.scheduler.requestExperiment(experiment.id);
      ctx.log.info({ experimentId: experiment.id, variants: request.variants }, 'experiment started: preparing its variants');
      return experiment;
    },
    stopExperiment: async (_, { id, promote }, ctx) => {
      await ctx.impressions.flush();
      const outcome = await stopExperiment(ctx.catalog.prisma, ctx.pool, experimentId(id), promote ?? false, ctx.config.attributionWindowHours);
      if (outcome === 'notRunning') throw notFound(`No experiment with id "${id}" is preparing or running.`);
      if ('refused' in outcome) throw badInput(outcome.refused, 'promote');
      ctx.log.info({ experimentId: outcome.experiment.id, winner: outcome.experiment.winner, activate: outcome.activate }, 'experiment stopped');
      if (outcome.activate !== null) await activateRun(ctx, outcome.activate);
      return outcome.experiment;
    },
  },
  Experiment: {
    id: (e) => String(e.id),
    status: (e) => e.status.toUpperCase() as never,
    metric: (e) => e.metric.toUpperCase() as never,
    variants: async (e, _, ctx) => (await analysisOf(ctx, e)).variants,
    winner: async (e, _, ctx) => (e.status === 'stopped' ? e.winner : (await analysisOf(ctx, e)).winner),
    alpha: async (e, _, ctx) => (await analysisOf(ctx, e)).alpha,
    promotedRunId: (e) => (e.promotedRunId === null ? null : String(e.promotedRunId)),
  },
  ExperimentVariant: {
    runId: (v) => (v.runId === null ? null : String(v.runId)),
    difference: (v) => v.comparison?.difference ?? null,
    differenceLow: (v) => (Number.isFinite(v.comparison?.low) ? v.comparison!.low : null),
    differenceHigh: (v) => (Number.isFinite(v.comparison?.high) ? v.comparison!.high : null),
    pValue: (v) => v.comparison?.pValue ?? null,
    usersNeeded: (v) => v.comparison?.usersNeeded ?? null,
  },
};
