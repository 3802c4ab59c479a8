// The job queue, kept in PostgreSQL by pg-boss: the nightly retrain schedule
// (pg-boss's cron fires once per tick across all instances) and the `train`
// queue that every instance works on. A run is claimed in model_runs before it
// starts, so even if two instances got the same job, exactly one would train.
import PgBoss from 'pg-boss';
import cronParser from 'cron-parser';
import type { Store } from '../store/db.js';
import { isDatabaseUnavailable } from '../store/faults.js';
import type { Logger } from '../log.js';
import { requestRun, reapDeadRuns, type RunRequest, type ModelRun } from '../training/registry.js';
import { Tuner, reapDeadSearches, type TuneRequest } from '../tuning/tuner.js';
import type { TuningSearch } from '../store/generated/prisma/client.js';
import { dropOrphanedStaging } from '../training/writeback.js';
import { prepareExperiment } from '../experiments/experiments.js';
import { dropUnusedVariantMatrices } from '../experiments/variant-matrices.js';
import type { RunSupervisor } from '../training/supervisor.js';

const TRAIN_QUEUE = 'train';
/** Re-activations (rollbacks) asked of an API-only instance, done by a trainer. */
const ACTIVATE_QUEUE = 'activate';
const NIGHTLY_QUEUE = 'nightly-retrain';
/** Experiments to prepare: their variants' matrices written by a trainer (src/experiments). */
const EXPERIMENT_QUEUE = 'experiment';
const TUNE_QUEUE = 'tune';
const REAP_EVERY_MS = 60_000;

/** The queues and their policies, created (where missing) by every instance as it starts. */
const QUEUES: PgBoss.Queue[] = [
  // A training run may take a while; it is never retried blindly (a failed run is recorded, not repeated).
  { name: TRAIN_QUEUE, expireInSeconds: 6 * 3600, retryLimit: 0 },
  { name: NIGHTLY_QUEUE, retryLimit: 0 },
  { name: ACTIVATE_QUEUE, expireInSeconds: 6 * 3600, retryLimit: 0 },
  { name: EXPERIMENT_QUEUE, expireInSeconds: 6 * 3600, retryLimit: 0 },
  // pg-boss caps a job's expiry below a day: a longer search goes on, its job is only marked expired.
  { name: TUNE_QUEUE, expireInSeconds: 23 * 3600, retryLimit: 0 },
];

async function createQueues(boss: PgBoss): Promise<void> {
  for (const queue of QUEUES) await boss.createQueue(queue.name, queue);
}

/** Installs the job queue's schema and queues in a database without starting any work (e.g. a template that test databases are copied from). */
export async function installJobQueues(connectionString: string): Promise<void> {
  const boss = new PgBoss({ connectionString, schema: 'pgboss', max: 1, supervise: false, schedule: false });
  await boss.start();
  try {
    await createQueues(boss);
  } finally {
    await boss.stop({ graceful: false });
  }
}

export interface SchedulerOptions {
  store: Store;
  supervisor: RunSupervisor;
  log: Logger;
  /** Cron expression for the nightly run (UTC); "off" disables it; undefined leaves the schedule as it is. */
  cron?: string;
  /** Whether this instance trains queued runs (false: it only enqueues them). */
  work?: boolean;
}

export class Scheduler {
  private reaper?: NodeJS.Timeout;
  /** This instance's worker on each queue it works: woken at once when this instance sends that queue a job. */
  private readonly workers = new Map<string, string>();
  readonly tuner: Tuner;

  private constructor(
    private readonly boss: PgBoss,
    private readonly options: SchedulerOptions,
  ) {
    this.tuner = new Tuner(options.store, options.supervisor, options.log);
  }

  static async start(options: SchedulerOptions): Promise<Scheduler> {
    const { store, log } = options;
    const boss = new PgBoss({ connectionString: store.url, schema: 'pgboss', max: 4 });
    // While the database is down the queue fails on every poll: that is one outage, not an error per poll.
    boss.on('error', (error: Error) => (isDatabaseUnavailable(error) ? store.health.failed(error) : log.error({ err: error }, 'job queue error')));
    await boss.start();
    const scheduler = new Scheduler(boss, options);
    await createQueues(boss);
    if (options.work !== false) await scheduler.recover();
    if (options.cron === undefined) {
      // A tool that only enqueues (the CLI) leaves the service's schedule alone.
    } else if (options.cron !== 'off') {
      await boss.schedule(NIGHTLY_QUEUE, options.cron, {}, { tz: 'UTC' });
      await boss.work(NIGHTLY_QUEUE, async () => {
        const { run, created } = await scheduler.requestRetrain({ trigger: 'schedule' });
        log.info({ runId: run.id, created }, created ? 'nightly retrain queued' : 'nightly retrain: a run is already pending');
      });
    } else {
      await boss.unschedule(NIGHTLY_QUEUE);
    }
    if (options.work !== false) {
      // One job at a time per queue and instance, looked for every second (and at once when sent from here).
      const work = async <T extends object>(queue: string, handle: (data: T) => Promise<void>) => {
        scheduler.workers.set(queue, await boss.work<T>(queue, { pollingIntervalSeconds: 1, batchSize: 1 }, ([job]) => handle(job.data)));
      };
      await work<{ runId: number }>(TRAIN_QUEUE, async ({ runId }) => {
        // The run records its own failure; one that cannot even be recorded (the database went away) is
        // logged here, and the reaper marks it failed once the database is back. Nothing is thrown at
        // pg-boss, whose own bookkeeping would fail the same way.
        await options.supervisor.execute(runId).catch((error) => log.error({ err: error, runId }, 'a training run could not be recorded'));
      });
      await work<{ searchId: number }>(TUNE_QUEUE, async ({ searchId }) => {
        await scheduler.tuner.run(searchId).catch((error) => log.error({ err: error, searchId }, 'a tuning search could not be recorded'));
      });
      await work<{ runId: number }>(ACTIVATE_QUEUE, async ({ runId }) => {
        await options.supervisor.activate(runId).catch((error) => log.error({ err: error, runId }, 'could not re-activate the run'));
      });
      await work<{ experimentId: number }>(EXPERIMENT_QUEUE, async ({ experimentId }) => {
        await prepareExperiment(store.prisma, store.pool, experimentId, (runId) => options.supervisor.writeVariantMatrix(runId), log).catch((error) =>
          log.error({ err: error, experimentId }, 'could not prepare the experiment'),
        );
      });
    }
    if (options.work !== false) {
      scheduler.reaper = setInterval(() => void scheduler.recover().catch(() => {}), REAP_EVERY_MS);
      scheduler.reaper.unref();
    }
    return scheduler;
  }

  /** The nightly run's schedule as the queue keeps it (every instance's), with its next time; null when off. */
  async nightlySchedule(now = new Date()): Promise<{ cron: string; timezone: string; nextRunAt: Date } | null> {
    const schedule = (await this.boss.getSchedules()).find((s) => s.name === NIGHTLY_QUEUE);
    if (!schedule) return null;
    const timezone = schedule.options?.tz ?? 'UTC';
    return { cron: schedule.cron, timezone, nextRunAt: cronParser.parseExpression(schedule.cron, { tz: timezone, currentDate: now }).next().toDate() };
  }

  /** Queues a run (or returns the pending one) and hands it to the job queue. */
  async requestRetrain(request: RunRequest): Promise<{ run: ModelRun; created: boolean }> {
    const result = await requestRun(this.options.store.prisma, request);
    if (result.created) await this.enqueue(result.run.id);
    return result;
  }

  /** Records a hyper-parameter search and hands it to a trainer (src/tuning/tuner.ts). */
  async requestTune(request: TuneRequest): Promise<TuningSearch> {
    const search = await this.tuner.create(request);
    await this.send(TUNE_QUEUE, { searchId: search.id }, `tune-${search.id}`);
    return search;
  }

  /** Asks a trainer to write an experiment's variant matrices and then serve it. */
  async requestExperiment(experimentId: number): Promise<void> {
    await this.send(EXPERIMENT_QUEUE, { experimentId }, `experiment-${experimentId}`);
  }

  /** Asks a trainer to re-activate a run (for instances that do not train themselves). */
  async requestActivation(runId: number): Promise<void> {
    await this.send(ACTIVATE_QUEUE, { runId }, `activate-${runId}`);
  }

  /** Sends a job, once per key; this instance's own worker on that queue takes it at once rather than at its next poll. */
  private async send(queue: string, data: object, singletonKey: string): Promise<void> {
    await this.boss.send(queue, data, { singletonKey });
    const worker = this.workers.get(queue);
    if (worker) this.boss.notifyWorker(worker);
  }

  private async enqueue(runId: number): Promise<void> {
    await this.send(TRAIN_QUEUE, { runId }, `run-${runId}`);
  }

  /**
   * Marks runs whose process died as failed, drops the staging tables they left,
   * and re-sends queued runs whose job was lost.
   */
  async recover(): Promise<void> {
    const { prisma, pool } = this.options.store;
    const reaped = await reapDeadRuns(prisma);
    if (reaped.length) this.options.log.warn({ runs: reaped }, 'marked runs of dead processes as failed');
    const running = await prisma.modelRun.findMany({ where: { status: 'running' }, select: { id: true } });
    const dropped = await dropOrphanedStaging(pool, new Set(running.map((r) => r.id)));
    if (dropped.length) this.options.log.info({ tables: dropped }, 'dropped staging tables of dead runs');
    // A tuning trial is trained by its search, never through the queue (it would be served).
    const queued = await prisma.modelRun.findMany({ where: { status: 'queued', trigger: { not: 'tuning' } } });
    for (const run of queued) await this.enqueue(run.id);
    // Experiments whose preparation was lost with its process are sent again; matrices no experiment serves go.
    const preparing = await prisma.experiment.findMany({ where: { status: 'preparing' }, select: { id: true } });
    for (const { id } of preparing) await this.requestExperiment(id);
    const unused = await dropUnusedVariantMatrices(pool);
    if (unused.length) this.options.log.info({ runs: unused }, 'dropped the variant matrices of finished experiments');
    const searches = await reapDeadSearches(prisma);
    if (searches.length) this.options.log.warn({ searches }, 'marked tuning searches of dead processes as failed');
  }

  async stop(): Promise<void> {
    if (this.reaper) clearInterval(this.reaper);
    await this.boss.stop({ graceful: true, timeout: 10_000 });
  }
}
