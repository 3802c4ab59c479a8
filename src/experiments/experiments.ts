// A/B tests between models: started by an admin, prepared by a trainer (each variant's run re-scored into a
// matrix of its own, src/experiments/variant-matrices.ts), served while running (experiment-router.ts), read
// with each variant's metric against the first variant's (statistics.ts), stopped with or without
// activating the winner. One experiment is preparing or running at a time.
import crypto from 'node:crypto';
import type pg from 'pg';
import type { PrismaClient, Experiment } from '../store/generated/prisma/client.js';
import type { Logger } from '../log.js';
import { EXPERIMENT_TOTALS_SQL } from '../store/sql.js';
import type { Variant } from './assignment.js';
import { variantMatrices } from './variant-matrices.js';
import { ALPHA, compare, ratioEstimate, winnerOf, type Comparison, type VariantTotals } from './statistics.js';

export type ExperimentMetric = 'click_through' | 'add_to_cart' | 'conversion' | 'revenue';
/** The event type each metric counts (revenue: the purchases' values). */
const METRIC_EVENT: Record<ExperimentMetric, string> = { click_through: 'view', add_to_cart: 'cart', conversion: 'purchase', revenue: 'revenue' };

export const MAX_VARIANTS = 10;

export interface ExperimentRequest {
  name: string;
  variants: Variant[];
  metric: ExperimentMetric;
  minDetectableEffect: number;
}

export class ExperimentProblem extends Error {
  constructor(
    message: string,
    readonly argument: string,
  ) {
    super(message);
  }
}

/** What is wrong with a request, before anything is written: names, shares, and runs with a saved model. */
export async function checkRequest(prisma: PrismaClient, request: ExperimentRequest): Promise<void> {
  const { name, variants, minDetectableEffect } = request;
  if (name.trim().length === 0 || name.length > 128) throw new ExperimentProblem('`name` must be 1 to 128 characters', 'name');
  if (variants.length < 2 || variants.length > MAX_VARIANTS) throw new ExperimentProblem(`an experiment has 2 to ${MAX_VARIANTS} variants`, 'variants');
  const names = new Set<string>();
  let total = 0;
  for (const [k, v] of variants.entries()) {
    if (v.name.trim().length === 0 || v.name.length > 64) throw new ExperimentProblem(`variants[${k}].name must be 1 to 64 characters`, 'variants');
    if (names.has(v.name)) throw new ExperimentProblem(`two variants are named "${v.name}"`, 'variants');
    names.add(v.name);
    if (!(v.share > 0 && v.share <= 1)) throw new ExperimentProblem(`variants[${k}].share must be in (0, 1]`, 'variants');
    total += v.share;
  }
  if (total > 1 + 1e-9)
    throw new ExperimentProblem(`the shares add up to ${total.toFixed(3)}; at most 1 (the rest of the shoppers are served as usual)`, 'variants');
  if (!(minDetectableEffect > 0 && minDetectableEffect <= 10))
    throw new ExperimentProblem('`minDetectableEffect` (a relative change, 0.05 = 5 %) must be in (0, 10]', 'minDetectableEffect');
  const runIds = [...new Set(variants.flatMap((v) => (v.runId === null ? [] : [v.runId])))];
  const runs = await prisma.modelRun.findMany({ where: { id: { in: runIds } }, select: { id: true, status: true, artifactHash: true } });
  for (const runId of runIds) {
    const run = runs.find((r) => r.id === runId);
    if (!run) throw new ExperimentProblem(`there is no training run ${runId}`, 'variants');
    if (!run.artifactHash || !['succeeded', 'rejected'].includes(run.status)) {
      throw new ExperimentProblem(`run ${runId} is ${run.status} and has no saved model to serve`, 'variants');
    }
  }
}

/** Records the experiment as preparing; null when another one is preparing or running. */
export async function createExperiment(prisma: PrismaClient, request: ExperimentRequest): Promise<Experiment | null> {
  try {
    return await prisma.experiment.create({
      data: {
        name: request.name,
        variants: request.variants.map((v) => ({ name: v.name, runId: v.runId, share: v.share })),
        metric: request.metric,
        minDetectableEffect: request.minDetectableEffect,
        salt: crypto.randomBytes(12).toString('base64url'),
      },
    });
  } catch (error) {
    if ((error as { code?: string }).code === 'P2002') return null; // experiments_one_live_idx
    throw error;
  }
}

/**
 * Writes each variant's matrix (`writeVariantMatrix`, by a trainer), then serves the experiment. The active
 * run needs none (it is served from the served matrix), and a run's matrix still there from an earlier
 * experiment is served again as it is: like the served matrix, it is filtered as it is read (ratings,
 * purchases, availability) and erasures reach it. A failure is recorded on
 * the experiment (status failed); one stopped meanwhile stays stopped.
 */
export async function prepareExperiment(
  prisma: PrismaClient,
  pool: pg.Pool,
  experimentId: number,
  writeVariantMatrix: (runId: number) => Promise<void>,
  log: Logger,
): Promise<void> {
  const experiment = await prisma.experiment.findUnique({ where: { id: experimentId } });
  if (experiment?.status !== 'preparing') return;
  const runIds = [...new Set((experiment.variants as unknown as Variant[]).flatMap((v) => (v.runId === null ? [] : [v.runId])))];
  try {
    // The reaper keeps the matrices of preparing experiments, so one listed here stays. The active run's
    // variant reads the served matrix, which a swap keeps for it (keptForExperiment).
    const present = new Set(await variantMatrices(pool));
    const active = await prisma.modelRun.findFirst({ where: { active: true }, select: { id: true } });
    for (const runId of runIds.filter((id) => !present.has(id) && id !== active?.id)) {
      log.info({ experimentId, runId }, 'writing the matrix of an experiment variant');
      await writeVariantMatrix(runId);
    }
    const started = await prisma.experiment.updateMany({
      where: { id: experimentId, status: 'preparing' },
      data: { status: 'running', startedAt: new Date() },
    });
    if (started.count > 0) log.info({ experimentId }, 'experiment running: its shoppers are served by their variants');
  } catch (error) {
    log.error({ err: error, experimentId }, 'could not prepare the experiment');
    await prisma.experiment.updateMany({
      where: { id: experimentId, status: 'preparing' },
      data: { status: 'failed', error: `A variant's matrix could not be written: ${(error as Error).message}`, stoppedAt: new Date() },
    });
  }
}

export interface VariantResult extends Variant {
  users: number;
  lists: number;
  impressions: number;
  /** The metric: events (or revenue) per product shown. */
  value: number;
  /** Against the control (null for the control itself). */
  comparison: Comparison | null;
}

export interface ExperimentAnalysis {
  variants: VariantResult[];
  winner: string | null;
  /** The significance each comparison is held to (5 % split between them). */
  alpha: number;
}

export async function analyseExperiment(pool: pg.Pool, experiment: Experiment, windowHours: number): Promise<ExperimentAnalysis> {
  const variants = experiment.variants as unknown as Variant[];
  const { rows } = await pool.query<VariantTotals & { variant: string; lists: number }>(EXPERIMENT_TOTALS_SQL, [
    experiment.id,
    METRIC_EVENT[experiment.metric as ExperimentMetric],
    windowHours,
  ]);
  const empty: VariantTotals & { lists: number } = { users: 0, lists: 0, sumX: 0, sumN: 0, sumXX: 0, sumNN: 0, sumXN: 0 };
  const totals = variants.map((v) => rows.find((row) => row.variant === v.name) ?? empty);
  const alpha = ALPHA / Math.max(1, variants.length - 1);
  const comparisons = totals.map((t, k) => (k === 0 ? null : compare(totals[0], t, alpha, experiment.minDetectableEffect)));
  const values = totals.map((t) => ratioEstimate(t).value);
  return {
    variants: variants.map((v, k) => ({
      ...v,
      users: totals[k].users,
      lists: totals[k].lists,
      impressions: totals[k].sumN,
      value: values[k],
      comparison: comparisons[k],
    })),
    winner: winnerOf(
      variants.map((v) => v.name),
      values,
      comparisons,
      alpha,
    ),
    alpha,
  };
}

/** `activate`: the winner's run, when it is to be activated (promote, and it is not the active run already). */
export type StopOutcome = { experiment: Experiment; activate: number | null } | 'notRunning' | { refused: string };

/**
 * Stops a preparing or running experiment, recording the winner as the data stand. With `promote`, the
 * winner's run is the one to activate (the caller activates it); refused, with nothing changed, when there
 * is no winner yet or the winner is the popular list.
 */
export async function stopExperiment(prisma: PrismaClient, pool: pg.Pool, id: number, promote: boolean, windowHours: number): Promise<StopOutcome> {
  const experiment = await prisma.experiment.findUnique({ where: { id } });
  if (!experiment || !['preparing', 'running'].includes(experiment.status)) return 'notRunning';
  const analysis = await analyseExperiment(pool, experiment, windowHours);
  const winner = analysis.variants.find((v) => v.name === analysis.winner) ?? null;
  if (promote && !winner) return { refused: 'No variant has won yet: stop it without `promote`, or let it run until the sample size needed is reached.' };
  if (promote && winner?.runId === null)
    return { refused: `The winner ("${winner.name}") is the popular list, which has no model to activate: stop it without \`promote\`.` };
  const promoted = promote && winner ? winner.runId : null;
  const stopped = await prisma.experiment.updateMany({
    where: { id, status: { in: ['preparing', 'running'] } },
    data: { status: 'stopped', stoppedAt: new Date(), winner: winner?.name ?? null, promotedRunId: promoted },
  });
  if (stopped.count === 0) return 'notRunning';
  // A winner already active is served as it is (activating it again would only re-score its matrix).
  const active = promoted === null ? null : await prisma.modelRun.findFirst({ where: { active: true }, select: { id: true } });
  return { experiment: await prisma.experiment.findUniqueOrThrow({ where: { id } }), activate: promoted !== null && active?.id !== promoted ? promoted : null };
}
