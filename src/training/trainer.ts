// Runs training in a worker thread and keeps the registry up to date: claims
// the run, relays live progress and epochs into model_runs, passes on the
// thread's own heartbeats (and stops a thread that is silent, over RUN_TIMEOUT,
// or shut down), and finally swaps the new matrix in (or records why not).
import { Worker } from 'node:worker_threads';
import { withoutStatementTimeout, type Store } from '../store/db.js';
import { isDatabaseUnavailable } from '../store/faults.js';
import { Prisma } from '../store/generated/prisma/client.js';
import type { AppConfig } from '../config.js';
import type { Logger } from '../log.js';
import type { TrainingConfig } from '../model/config.js';
import type { EpochLog } from '../model/train.js';
import { claimRun, markFailed, heartbeat, type ModelRun } from './runs.js';
import { readStoredDefaults } from '../tuning/stored-defaults.js';
import { readStoredScale } from '../store/rating-scale.js';
import { resolveRunConfig, type RunOutcome, type RunProgress, type MatrixSummary } from './pipeline.js';
import { swapInMatrix, dropStaging, holdStagingLock } from './writeback.js';
import type { TrialOptions, WorkerInput, WorkerJob, WorkerMessage } from './worker.js';
import { threadEntry } from './thread-entry.js';
import { stopThread } from './thread-stop.js';

const WORKER_URL = threadEntry('worker', import.meta.url);
const PROGRESS_LOG_MS = 10_000;

export interface TrainerEvents {
  onProgress?: (progress: RunProgress) => void;
  onEpoch?: (epoch: EpochLog) => void;
}

export class Trainer {
  /** The VACUUM (ANALYZE) after the last swap (see swapIn). */
  private vacuum: Promise<void> = Promise.resolve();
  private readonly workers = new Set<Worker>();
  private readonly abortAll = new Set<(error: Error) => void>();
  private stopping = false;
  /** The run being executed here, if any (stop() waits for it to be recorded). */
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: Store,
    private readonly config: AppConfig,
    private readonly log: Logger,
  ) {}

  /**
   * Trains the queued run `runId` to the end. Returns null when another process
   * claimed it first. Never throws for a failed run: the failure is recorded.
   */
  execute(runId: number, events: TrainerEvents = {}, trial?: TrialOptions): Promise<ModelRun | null> {
    if (this.stopping) return Promise.resolve(null);
    const execution = this.executeNow(runId, events, trial);
    this.running = execution.catch(() => {});
    return execution;
  }

  private async executeNow(runId: number, events: TrainerEvents, trial?: TrialOptions): Promise<ModelRun | null> {
    const { prisma, pool } = this.store;
    const queued = await prisma.modelRun.findUnique({ where: { id: runId } });
    if (!queued || queued.status !== 'queued') return null;
    let runConfig;
    try {
      // The store's scale as it is now (an import may have set it since this process started).
      // The store's default configuration (a promoted tuning trial's) under what the run asks for.
      const asked = { ...(await readStoredDefaults(pool)), ...(queued.config as Partial<TrainingConfig>) };
      runConfig = resolveRunConfig(asked, this.config.training, (await readStoredScale(pool)) ?? this.config);
    } catch (error) {
      await markFailed(prisma, runId, `Invalid training configuration: ${(error as Error).message}`);
      return prisma.modelRun.findUnique({ where: { id: runId } });
    }
    const run = await claimRun(prisma, runId, runConfig);
    if (!run) return null;
    const log = this.log.child({ runId });
    log.info({ trigger: run.trigger, forced: run.forced, config: runConfig.model }, 'training run started');

    const active = await prisma.modelRun.findFirst({ where: { active: true } });
    const activeRmse = (active?.metrics as { network?: { rmse?: number } } | null)?.network?.rmse ?? null;
    try {
      const outcome = (await this.runWorker(
        { kind: 'train', run: { id: runId, forced: run.forced, config: runConfig, trial }, activeRmse },
        runId,
        log,
        events,
      )) as RunOutcome;
      const { matrix, ...rest } = outcome;
      const json = (value: unknown) => value as Prisma.InputJsonValue;
      const record = {
        backend: rest.backend,
        // What it trained with: the claimed configuration, sized to the shop (historyMaxInteractions).
        config: json(rest.config),
        dataCounts: json(rest.dataCounts),
        metrics: json(rest.metrics),
        history: json(rest.history),
        phases: json(rest.phases),
        artifactPath: rest.artifactPath,
        reason: rest.reason,
        progress: Prisma.DbNull,
        finishedAt: new Date(),
      };
      if (outcome.status === 'rejected') {
        await prisma.modelRun.update({ where: { id: runId }, data: { ...record, status: 'rejected' } });
        log.warn({ backend: outcome.backend, reason: outcome.reason, metrics: outcome.metrics }, 'run rejected by the quality gate; the served matrix is unchanged');
      } else if (!matrix) {
        // A tuning trial: recorded, never swapped in.
        await prisma.modelRun.update({ where: { id: runId }, data: { ...record, status: 'succeeded' } });
        log.info({ backend: outcome.backend, metrics: outcome.metrics }, 'tuning trial done; the served matrix is unchanged');
      } else {
        await this.swapIn(runId, matrix!, { ...record, status: 'succeeded' });
        log.info({ backend: outcome.backend, metrics: outcome.metrics, phases: outcome.phases, matrix: { ...matrix, staging: undefined } }, 'run succeeded and is now served');
      }
    } catch (error) {
      const message = (error as Error).message;
      if (error instanceof RunAborted) log.warn({ reason: message }, 'training run stopped; the served matrix is unchanged');
      else log.error({ err: error }, 'training run failed; the served matrix is unchanged');
      await recordFailure(prisma, runId, message);
    }
    return prisma.modelRun.findUnique({ where: { id: runId } });
  }

  /** Re-scores a finished run from its saved artifacts and serves its matrix (rollback). */
  async activate(runId: number): Promise<ModelRun> {
    const run = await this.store.prisma.modelRun.findUniqueOrThrow({ where: { id: runId } });
    if (!run.artifactHash) throw new Error(`run ${runId} has no saved model`);
    const log = this.log.child({ runId });
    // The run is not `running`: only this lock keeps the reaper off its staging table until the swap.
    const release = await holdStagingLock(this.store.url, runId);
    try {
      const { matrix, phases } = (await this.runWorker({ kind: 'rescore', run: { id: runId } }, null, log, {})) as {
        matrix: MatrixSummary;
        phases: Record<string, number>;
      };
      await this.swapIn(runId, matrix, {});
      log.info({ matrix, phases }, 'run re-activated: its matrix is now served');
    } finally {
      await release();
    }
    return this.store.prisma.modelRun.findUniqueOrThrow({ where: { id: runId } });
  }

  /** One transaction: the new matrix replaces the old, and this run becomes the active one. */
  private async swapIn(runId: number, matrix: MatrixSummary, record: Prisma.ModelRunUpdateInput): Promise<void> {
    const { staging, ...summary } = matrix;
    // The last swap's VACUUM may still be working through the table this swap drops: let it finish
    // first rather than have the two take the partitions' locks in different orders.
    await this.vacuum;
    try {
      await swapInMatrix(
        this.store.pool,
        staging,
        async (client) => {
          await client.query('UPDATE model_runs SET active = false WHERE active AND id <> $1', [runId]);
          await client.query('UPDATE model_runs SET active = true, matrix = $2::jsonb WHERE id = $1', [runId, JSON.stringify(summary)]);
        },
        (attempt) => this.log.warn({ runId, attempt }, 'the swap could not lock the served matrix in time (long readers); trying again'),
      );
    } catch (error) {
      await dropStaging(this.store.pool, staging).catch(() => {});
      throw error;
    }
    if (Object.keys(record).length > 0) {
      await this.store.prisma.modelRun.update({ where: { id: runId }, data: record });
    }
    // Statistics and the visibility map for the new matrix (index-only scans then
    // skip the heap), after the swap so that readers never wait for them: what
    // autovacuum would do within a minute anyway.
    this.vacuum = withoutStatementTimeout(this.store.pool, (client) => client.query('VACUUM (ANALYZE) predictions')).then(
      () => {},
      (error) => this.log.warn({ err: error }, 'VACUUM (ANALYZE) predictions failed'),
    );
  }

  private runWorker(job: WorkerJob, runId: number | null, log: Logger, events: TrainerEvents): Promise<unknown> {
    const input: WorkerInput = {
      job,
      databaseUrl: this.store.url,
      settings: this.config.training,
      modelsDir: this.config.modelsDir,
    };
    const worker = new Worker(WORKER_URL, { workerData: input });
    this.workers.add(worker);
    let progress: RunProgress | undefined;
    let lastWrite = 0;
    let lastBeat = Date.now();
    const started = Date.now();
    const { pool } = this.store;
    const { runTimeoutMs, heartbeatTimeoutMs } = this.config.training;
    // The registry's heartbeat is the training thread's own: a thread that stops beating stops it too.
    const beat = () => {
      lastBeat = Date.now();
      if (runId !== null && Date.now() - lastWrite > 1000) {
        lastWrite = Date.now();
        void heartbeat(pool, runId, progress).catch(() => {});
      }
    };
    let watchdog: NodeJS.Timeout | undefined;
    let abort: ((error: Error) => void) | undefined;
    // The log follows the phases, and every PROGRESS_LOG_MS the epoch's batches or the scoring with an ETA
    // (epochs are logged as they end); the ETA also goes into the run's progress.
    let phase: string | undefined;
    let phaseStarted = Date.now();
    let epochKey = '';
    let epochStarted = Date.now();
    let lastProgressLog = 0;
    const withEta = (p: RunProgress): RunProgress => {
      if (p.phase !== phase) {
        phase = p.phase;
        phaseStarted = Date.now();
        log.info({ phase }, `phase: ${phase}`);
      }
      let eta: number | undefined;
      let line = '';
      if (p.phase === 'train' && p.batch && p.batches) {
        const key = `${p.member}/${p.epoch}`;
        if (key !== epochKey) {
          epochKey = key;
          epochStarted = Date.now();
        }
        eta = Math.round((((Date.now() - epochStarted) / 1000) * (p.batches - p.batch)) / p.batch);
        const network = (p.members ?? 1) > 1 ? `network ${p.member}/${p.members}, ` : '';
        line = `${network}epoch ${(p.epoch ?? 0) + 1}/${p.epochs}: batch ${p.batch} of ${p.batches}, about ${eta} s left in this epoch`;
      } else if (p.phase === 'score' && p.scored && p.of) {
        eta = Math.round((((Date.now() - phaseStarted) / 1000) * (p.of - p.scored)) / p.scored);
        line = `scored ${p.scored} of ${p.of} users (${Math.round((100 * p.scored) / p.of)} %), about ${eta} s left`;
      }
      if (eta === undefined) return p;
      if (Date.now() - lastProgressLog >= PROGRESS_LOG_MS) {
        lastProgressLog = Date.now();
        log.info({ ...p, etaSeconds: eta }, line);
      }
      return { ...p, etaSeconds: eta };
    };
    return new Promise((resolve, reject) => {
      // Checked often enough to stop a hung or overlong thread within a few seconds of its limit (stop() aborts at once).
      watchdog = setInterval(() => {
        const silent = Date.now() - lastBeat;
        if (silent > heartbeatTimeoutMs) {
          reject(new RunAborted(`The training thread sent no heartbeat for ${Math.round(silent / 1000)} s (RUN_HEARTBEAT_TIMEOUT is ${heartbeatTimeoutMs / 1000} s): it was stopped.`));
        } else if (Date.now() - started > runTimeoutMs) {
          reject(new RunAborted(`The run took longer than RUN_TIMEOUT (${runTimeoutMs / 1000} s): it was stopped.`));
        }
      }, Math.min(1000, heartbeatTimeoutMs / 4));
      abort = reject;
      this.abortAll.add(reject);
      worker.on('message', (message: WorkerMessage) => {
        if (message.type === 'heartbeat') beat();
        else if (message.type === 'progress') {
          progress = withEta(message.progress as RunProgress);
          events.onProgress?.(progress);
          beat();
        } else if (message.type === 'epoch') {
          const epoch = message.epoch as Parameters<NonNullable<TrainerEvents['onEpoch']>>[0];
          const network = epoch.members > 1 ? `network ${epoch.member}/${epoch.members}, ` : '';
          log.info(epoch, `${network}epoch ${epoch.epoch}/${epoch.epochs}: loss ${epoch.loss.toFixed(4)}, validation RMSE ${epoch.valRmse.toFixed(4)}`);
          events.onEpoch?.(epoch);
          if (runId !== null) {
            void pool
              .query(`UPDATE model_runs SET history = history || $2::jsonb, heartbeat_at = now() WHERE id = $1`, [
                runId,
                JSON.stringify([epoch]),
              ])
              .catch(() => {});
          }
        } else if (message.type === 'done') resolve(message.result);
        else if (message.type === 'error') reject(Object.assign(new Error(message.message), { stack: message.stack }));
      });
      worker.on('error', reject);
      worker.on('exit', (code) => reject(new Error(`the training worker exited (code ${code}) before finishing`)));
    }).finally(() => {
      clearInterval(watchdog);
      if (abort) this.abortAll.delete(abort);
      this.workers.delete(worker);
      // Terminating the thread ends the threads it started (networks, scoring) with it.
      void stopThread(worker);
    });
  }

  /** Stops every training thread of this process (their runs fail with the reason) and waits for them to end. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const abort of this.abortAll) abort(new RunAborted('The service shut down during the run: it was stopped.'));
    await Promise.all([...this.workers].map((worker) => stopThread(worker)));
    await this.running;
  }
}

/**
 * Marks a run failed, trying again for a while if the database is away (a restart mid-run): otherwise the
 * run would stay `running` until the reaper notices its silence, and block the next one until then.
 */
async function recordFailure(prisma: Store['prisma'], runId: number, message: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await markFailed(prisma, runId, message);
      return;
    } catch (error) {
      if (!isDatabaseUnavailable(error) || attempt >= 15) throw error;
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    }
  }
}

/** A run stopped from outside its thread: hung, over its time limit, or shut down. */
export class RunAborted extends Error {
  override name = 'RunAborted';
}
