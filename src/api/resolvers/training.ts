// Training runs, the registry and scores: a thin map onto src/training and src/serving.
import path from 'node:path';
import type { Resolvers, QueryResolvers, MutationResolvers, ModelRunResolvers } from '../generated/graphql.js';
import type { ApiContext } from '../context.js';
import type { ModelRun } from '../../training/registry.js';
import { resolveRunConfig } from '../../training/run/run-config.js';
import type { EvalMetrics } from '../../training/run/protocol.js';
import type { CatalogMetrics } from '../../training/catalog-evaluation.js';
import { idProblem } from '../../store/validation.js';
import { check, checkScope, badInput, conflict, notFound } from '../errors.js';
import { pageSize } from '../pagination.js';

export const MAX_SCORE_PAIRS = 10_000;

/** Upper bounds that keep one admin request from asking for a run that cannot finish. */
const CONFIG_LIMITS: Record<string, number> = { embeddingDim: 512, batchSize: 65_536, epochs: 500 };

function parseRunId(id: string, argument = 'id'): number {
  if (!/^\d{1,9}$/.test(id)) throw badInput(`${argument} must be a run number, got "${id}"`, argument);
  return Number(id);
}

async function requireRun(ctx: ApiContext, id: string): Promise<ModelRun> {
  const run = await ctx.catalog.prisma.modelRun.findUnique({ where: { id: parseRunId(id) } });
  if (!run) throw notFound(`No training run with id "${id}".`);
  return run;
}

/** Throws NOT_FOUND naming the ids that do not exist. */
async function requireExisting(ctx: ApiContext, userIds: string[], productIds: string[]): Promise<void> {
  const users = [...new Set(userIds)];
  const products = [...new Set(productIds)];
  const [foundUsers, foundProducts] = await Promise.all([ctx.loaders.userByExternalId.loadMany(users), ctx.loaders.productByExternalId.loadMany(products)]);
  const missingUsers = users.filter((_, i) => !foundUsers[i] || foundUsers[i] instanceof Error);
  const missingProducts = products.filter((_, i) => !foundProducts[i] || foundProducts[i] instanceof Error);
  const list = (ids: string[]) =>
    ids
      .slice(0, 5)
      .map((id) => `"${id}"`)
      .join(', ') + (ids.length > 5 ? ` and ${ids.length - 5} more` : '');
  if (missingUsers.length) throw notFound(`No user with id ${list(missingUsers)}.`);
  if (missingProducts.length) throw notFound(`No product with id ${list(missingProducts)}.`);
}

/** What a retrain request asked for that the pending run does not have ([] when it has it all). */
function unmetRequest(pending: ModelRun, overrides: Record<string, unknown>, force: boolean): string[] {
  // A queued run holds the overrides it was asked with; a running one its whole resolved configuration.
  const stored = (pending.status === 'queued' ? pending.config : (pending.config as { model?: object }).model) as Record<string, unknown>;
  const unmet = Object.keys(overrides).filter((key) => JSON.stringify(stored?.[key]) !== JSON.stringify(overrides[key]));
  const found = unmet.map((key) => `config.${key}: ${JSON.stringify(overrides[key])} asked, ${JSON.stringify(stored?.[key] ?? null)} pending`);
  if (force && !pending.forced) found.push('force: true asked, false pending');
  return found;
}

/** Where a run's model is, relative to the models folder: absolute server paths stay on the server. */
function relativeArtifactPath(run: ModelRun, modelsDir: string): string | null {
  if (!run.artifactPath) return null;
  const relative = path.relative(modelsDir, run.artifactPath);
  return relative.startsWith('..') || path.isAbsolute(relative) ? path.basename(run.artifactPath) : relative;
}

const Query: QueryResolvers<ApiContext> = {
  modelRuns: (_, { first }, ctx) => ctx.catalog.prisma.modelRun.findMany({ orderBy: { id: 'desc' }, take: pageSize(first) }),
  modelRun: async (_, { id }, ctx) => {
    const runId = parseRunId(id);
    return ctx.catalog.prisma.modelRun.findUnique({ where: { id: runId } });
  },
  activeModel: (_, __, ctx) => ctx.catalog.prisma.modelRun.findFirst({ where: { active: true } }),
  score: async (_, { userId, productId }, ctx) => {
    check(idProblem(userId, 'userId'), 'userId');
    check(idProblem(productId, 'productId'), 'productId');
    checkScope(ctx.caller, [userId]);
    await requireExisting(ctx, [userId], [productId]);
    const [score] = await ctx.activeModel.scorePairs([{ userId, productId }], await ctx.model());
    return score;
  },
  scores: async (_, { pairs }, ctx) => {
    if (pairs.length > MAX_SCORE_PAIRS) {
      throw badInput(`scores takes at most ${MAX_SCORE_PAIRS} pairs per call, got ${pairs.length}`, 'pairs');
    }
    pairs.forEach((p, i) => {
      check(idProblem(p.userId, `pairs[${i}].userId`), 'pairs');
      check(idProblem(p.productId, `pairs[${i}].productId`), 'pairs');
    });
    checkScope(
      ctx.caller,
      pairs.map((p) => p.userId),
    );
    await requireExisting(
      ctx,
      pairs.map((p) => p.userId),
      pairs.map((p) => p.productId),
    );
    return ctx.activeModel.scorePairs(pairs, await ctx.model());
  },
};

/** A TrainingConfigInput as overrides, refused with BAD_USER_INPUT (naming `field`) where a run would refuse it. */
export function checkedConfigInput(config: Record<string, unknown> | null | undefined, ctx: ApiContext, field: string): Record<string, unknown> {
  const overrides = Object.fromEntries(Object.entries(config ?? {}).filter(([, v]) => v !== null && v !== undefined));
  for (const [key, max] of Object.entries(CONFIG_LIMITS)) {
    if (typeof overrides[key] === 'number' && (overrides[key] as number) > max) {
      throw badInput(`${field}.${key} must be at most ${max}, got ${overrides[key]}`, field);
    }
  }
  const layers = overrides.layerSizes as number[] | undefined;
  if (layers && (layers.length === 0 || layers.length > 8 || layers.some((n) => n > 4096))) {
    throw badInput(`${field}.layerSizes must list 1 to 8 layers of at most 4096 units`, field);
  }
  try {
    resolveRunConfig(overrides, ctx.config.training, ctx.config);
  } catch (error) {
    throw badInput((error as Error).message.replace('TrainingConfig.', `${field}.`), field);
  }
  return overrides;
}

const Mutation: MutationResolvers<ApiContext> = {
  retrain: async (_, { force, config }, ctx) => {
    const overrides = checkedConfigInput(config, ctx, 'config');
    const { run, created } = await ctx.scheduler.requestRetrain({ trigger: 'admin', force: force ?? false, config: overrides });
    const differences = created ? [] : unmetRequest(run, overrides, force ?? false);
    if (differences.length > 0) {
      throw conflict(
        `Run ${run.id} is already ${run.status} and differs from what you asked (${differences.join(', ')}); nothing was queued. ` +
          'Wait until it has finished, then ask again.',
        { runId: String(run.id) },
      );
    }
    return run;
  },
  activateModel: async (_, { id }, ctx) => {
    const run = await requireRun(ctx, id);
    if (!run.artifactHash || !['succeeded', 'rejected'].includes(run.status)) {
      throw badInput(`Run ${id} is ${run.status} and has no saved model to activate.`, 'id');
    }
    return activateRun(ctx, run.id);
  },
};

/** Serves a finished run's model: re-scores its matrix and swaps it in (here, or by a trainer on an API-only instance). */
async function activateRun(ctx: ApiContext, runId: number): Promise<ModelRun> {
  if (ctx.config.role === 'api') {
    // An API-only instance has no training threads: a trainer re-scores the run; this waits for it a while.
    await ctx.scheduler.requestActivation(runId);
    return waitUntilActive(ctx, runId);
  }
  const activated = await ctx.supervisor.activate(runId);
  ctx.activeModel.invalidate();
  return activated;
}

/** How long activateModel on an API-only instance waits for a trainer before it answers the run as it is. */
const ACTIVATION_WAIT_MS = 120_000;

async function waitUntilActive(ctx: ApiContext, runId: number): Promise<ModelRun> {
  const deadline = Date.now() + ACTIVATION_WAIT_MS;
  for (;;) {
    const run = await ctx.catalog.prisma.modelRun.findUniqueOrThrow({ where: { id: runId } });
    if (run.active || Date.now() > deadline) return run;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const upper = <T extends string>(value: string) => value.toUpperCase() as T;

const ModelRunType: ModelRunResolvers<ApiContext> = {
  id: (run) => String(run.id),
  status: (run) => upper<never>(run.status),
  trigger: (run) => upper<never>(run.trigger),
  // Runs recorded before ensembles have no member on their epochs: they trained one network.
  history: (run) => ((run.history as { member?: number }[] | null) ?? []).map((epoch) => ({ member: 1, ...epoch }) as never),
  metrics: (run) => {
    const m = run.metrics as {
      network: EvalMetrics;
      baseline: EvalMetrics;
      relevanceThreshold: number;
      validationRatings: number;
      stopped?: string[];
      catalog?: CatalogMetrics;
    } | null;
    if (!m) return null;
    const stopped = (m.stopped ?? []).map((reason) => upper<never>(reason));
    const c = m.catalog;
    // Runs recorded before lists were blended have no served, selection or blend: null, as the schema says.
    const blend = c?.blend
      ? {
          degrees: c.blend.degrees,
          showsSeen: c.blend.showsSeen,
          selectionRank: c.blend.selection.rank,
          selectionLambda: c.blend.selection.lambdaFactor,
          // Runs recorded before the low-pass filter have none.
          lowPassRank: c.blend.lowPass?.weight ? c.blend.lowPass.rank : 0,
          lowPassWeight: c.blend.lowPass?.weight ?? 0,
        }
      : null;
    const catalog = c ? { ...c, split: upper<never>(c.split), served: c.served ?? null, selection: c.selection ?? null, blend } : null;
    return { network: m.network, baseline: m.baseline, relevanceThreshold: m.relevanceThreshold, validationRatings: m.validationRatings, stopped, catalog };
  },
  progress: (run) => (run.status === 'running' ? ((run.progress as never) ?? null) : null),
  artifactPath: (run, _, ctx) => relativeArtifactPath(run, ctx.config.modelsDir),
};

export const trainingResolvers: Resolvers<ApiContext> = { Query, Mutation, ModelRun: ModelRunType };
export { requireRun, upper, activateRun, parseRunId };
