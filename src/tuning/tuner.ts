// A hyper-parameter search: trial 1 is the shop's current default configuration, the others are drawn at
// random from the space (search-space.ts); each trial is a model_runs row (trigger tuning) trained and
// evaluated like any run but never served. A trial whose best validation RMSE falls behind the median of the
// earlier trials' at the same epoch is stopped early (median stopping rule); the budget stops starting new
// trials and ends the running one at an epoch boundary. The best trial and the default's are recorded.
import type { Store } from '../store/db.js';
import type { Logger } from '../log.js';
import type { TrainingConfig } from '../model/config.js';
import type { RunSupervisor, RunEvents } from '../training/supervisor.js';
import { HEARTBEAT_TIMEOUT_MS, failQueued, queueTrial, type ModelRun } from '../training/registry.js';
import { DEFAULT_SPACE, parseSearchSpace, sampleConfigurations, SearchSpaceError, type SearchSpace } from './search-space.js';
import { readStoredDefaults } from './stored-defaults.js';
import type { TuningSearch } from '../store/generated/prisma/client.js';

export type TuneMetric = 'rmse' | 'mae' | 'ndcg';
export const TUNE_METRICS: Record<TuneMetric, { lowerIsBetter: boolean; describe: string }> = {
  rmse: { lowerIsBetter: true, describe: 'validation RMSE' },
  mae: { lowerIsBetter: true, describe: 'validation MAE' },
  ndcg: { lowerIsBetter: false, describe: 'catalog NDCG@10 of the served lists' },
};

export const MAX_TRIALS = 100;

export interface TuneRequest {
  trials: number;
  space?: unknown;
  metric?: string;
  budgetSeconds?: number | null;
  /** Settings every trial uses (e.g. fewer epochs); trials train one network unless these or the space say otherwise. */
  base?: Partial<TrainingConfig>;
  seed?: number;
}

export { SearchSpaceError };

export class TuneRequestError extends Error {
  override name = 'TuneRequestError';
}

/** The metric of a finished trial (null when it failed or has none). */
export function trialMetric(run: Pick<ModelRun, 'status' | 'metrics'>, metric: TuneMetric): number | null {
  if (run.status !== 'succeeded') return null;
  const m = run.metrics as {
    network?: { rmse?: number; mae?: number };
    catalog?: { served?: { ndcg?: number | null }; network?: { ndcg?: number | null } };
  } | null;
  // The lists as served; runs recorded before they were blended served the network's.
  const value = metric === 'ndcg' ? (m?.catalog?.served ?? m?.catalog?.network)?.ndcg : m?.network?.[metric];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** For each epoch, the median over `histories` of the best validation RMSE so far (only histories that reached it). */
export function medianCurve(histories: (number | null)[][]): number[] {
  const best = histories.map((h) => {
    let b = Infinity;
    return h.map((v) => (b = Math.min(b, v ?? Infinity)));
  });
  const length = Math.max(0, ...best.map((b) => b.length));
  const curve: number[] = [];
  for (let e = 0; e < length; e++) {
    const values = best
      .filter((b) => b.length > e && Number.isFinite(b[e]))
      .map((b) => b[e])
      .sort((x, y) => x - y);
    // Two earlier trials at least: one alone is no median to fall behind.
    curve.push(values.length >= 2 ? values[Math.floor((values.length - 1) / 2)] : Infinity);
  }
  return curve;
}

/**
 * Searches still marked running that started trials, all ended more than `quietMs` ago: their process is gone
 * (one still waiting in the queue has no trial yet). They, and trials left queued by them, are marked failed.
 */
export async function reapDeadSearches(prisma: Store['prisma'], quietMs = HEARTBEAT_TIMEOUT_MS): Promise<number[]> {
  const before = new Date(Date.now() - quietMs);
  const stale = await prisma.tuningSearch.findMany({
    where: { status: 'running', runs: { some: {}, none: { OR: [{ status: 'running' }, { finishedAt: { gte: before } }, { createdAt: { gte: before } }] } } },
    select: { id: true },
  });
  const ids = stale.map((s) => s.id);
  if (ids.length === 0) return ids;
  await failQueued(prisma, { searchId: { in: ids } }, 'its tuning search stopped');
  await prisma.tuningSearch.updateMany({
    where: { id: { in: ids }, status: 'running' },
    data: { status: 'failed', error: 'the process running it stopped', finishedAt: new Date() },
  });
  return ids;
}

export class Tuner {
  constructor(
    private readonly store: Store,
    private readonly supervisor: RunSupervisor,
    private readonly log: Logger,
  ) {}

  /** Checks the request and records the search (running); its trials start with run(). */
  async create(request: TuneRequest): Promise<TuningSearch> {
    if (!Number.isInteger(request.trials) || request.trials < 1 || request.trials > MAX_TRIALS)
      throw new TuneRequestError(`trials must be 1 to ${MAX_TRIALS}, got ${request.trials}`);
    const metric = (request.metric ?? 'rmse').toLowerCase();
    if (!(metric in TUNE_METRICS))
      throw new TuneRequestError(`metric must be one of ${Object.keys(TUNE_METRICS).join(', ')}, got ${JSON.stringify(request.metric)}`);
    if (request.budgetSeconds != null && !(Number.isInteger(request.budgetSeconds) && request.budgetSeconds > 0))
      throw new TuneRequestError(`budgetSeconds must be a whole number > 0, got ${request.budgetSeconds}`);
    const base = { ensembleSize: 1, ...(await readStoredDefaults(this.store.pool)), ...request.base };
    const space = parseSearchSpace(request.space ?? DEFAULT_SPACE, base);
    return this.store.prisma.tuningSearch.create({
      data: {
        trials: request.trials,
        space: { base, parameters: space } as object,
        metric,
        budgetSeconds: request.budgetSeconds ?? null,
        seed: request.seed ?? Math.floor(Math.random() * 2 ** 31),
      },
    });
  }

  /** Runs the search's trials one after another; `onTrial` hears of each as it ends. */
  async run(searchId: number, events: RunEvents & { onTrial?: (run: ModelRun, k: number, of: number) => void } = {}): Promise<TuningSearch> {
    const { prisma } = this.store;
    const search = await prisma.tuningSearch.findUniqueOrThrow({ where: { id: searchId } });
    const log = this.log.child({ searchId });
    const { base, parameters } = search.space as unknown as { base: Partial<TrainingConfig>; parameters: SearchSpace };
    const metric = search.metric as TuneMetric;
    const deadline = search.budgetSeconds ? Date.now() + search.budgetSeconds * 1000 : undefined;
    // Trial 1: the default configuration (the base alone); the others: samples of the space.
    const configs = [{}, ...sampleConfigurations(parameters, search.trials - 1, search.seed)].map((sample) => ({ ...base, ...sample }));
    const histories: (number | null)[][] = [];
    try {
      for (const [k, config] of configs.entries()) {
        if (deadline !== undefined && Date.now() >= deadline) {
          log.info({ trials: k }, `tuning budget spent after ${k} of ${configs.length} trials`);
          break;
        }
        const run = await queueTrial(prisma, config, searchId);
        log.info({ runId: run.id, trial: k + 1, of: configs.length, config }, `tuning trial ${k + 1} of ${configs.length}`);
        const pruneAbove = TUNE_METRICS[metric].lowerIsBetter && k > 0 ? medianCurve(histories) : undefined;
        const done = await this.supervisor.execute(run.id, events, { pruneAbove, deadline });
        if (!done) {
          // The trainer is stopping (the process shuts down): the search ends with the trials it has.
          await failQueued(prisma, { id: run.id }, 'the trainer stopped before this trial');
          break;
        }
        if (k === 0) await prisma.tuningSearch.update({ where: { id: searchId }, data: { defaultRunId: done.id } });
        const epochs = ((done.history as { member?: number; valRmse: number | null }[] | null) ?? []).filter((e) => (e.member ?? 1) === 1);
        histories.push(epochs.map((e) => e.valRmse));
        events.onTrial?.(done, k + 1, configs.length);
      }
      const trials = await prisma.modelRun.findMany({ where: { searchId } });
      const scored = trials.map((t) => ({ t, value: trialMetric(t, metric) })).filter((s): s is { t: ModelRun; value: number } => s.value !== null);
      const sign = TUNE_METRICS[metric].lowerIsBetter ? 1 : -1;
      const best = scored.sort((a, b) => sign * (a.value - b.value))[0]?.t ?? null;
      return await prisma.tuningSearch.update({
        where: { id: searchId },
        data: { status: best ? 'succeeded' : 'failed', bestRunId: best?.id ?? null, error: best ? null : 'no trial succeeded', finishedAt: new Date() },
      });
    } catch (error) {
      log.error({ err: error }, 'tuning search failed');
      return prisma.tuningSearch.update({ where: { id: searchId }, data: { status: 'failed', error: (error as Error).message, finishedAt: new Date() } });
    }
  }
}
