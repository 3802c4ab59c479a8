// Supervises a run's thread (src/training/threads/run-thread.ts) and records the run in the registry:
// claims it, relays live progress and epochs, passes on the thread's heartbeats (and stops a thread that
// is silent, over RUN_TIMEOUT, or shut down), and finally swaps the new matrix in (or records why not).
import { Worker } from 'node:worker_threads';
import { withoutStatementTimeout, type Store } from '../store/db.js';
import { isDatabaseUnavailable } from '../store/faults.js';
import type { Prisma } from '../store/generated/prisma/client.js';
import type { AppConfig } from '../config.js';
import type { Logger } from '../log.js';
import type { TrainingConfig } from '../model/config.js';
import type { EpochLog } from '../model/train.js';
import { appendEpoch, claimRun, heartbeat, markActive, markFailed, outcomeRecord, recordFinished, type ModelRun } from './registry.js';
import { readStoredDefaults } from '../tuning/stored-defaults.js';
import { readStoredScale } from '../store/rating-scale.js';
import { resolveRunConfig, type RunConfig } from './run/run-config.js';
import { epochLabel, progressLabel } from './run/progress-label.js';
import type { MatrixSummary, RescoreOutcome, RunJob, RunOutcome, RunProgress, RunThreadInput, RunThreadMessage, TrialOptions } from './run/protocol.js';
import { swapInMatrix, dropStaging, holdStagingLock } from './writeback.js';
import { installVariantMatrix, keptForExperiment } from '../experiments/variant-matrices.js';
import { threadEntry } from './threads/thread-entry.js';
import { stopThread } from './threads/thread-stop.js';

const RUN_THREAD = threadEntry('threads/run-thread', import.meta.url);
const PROGRESS_LOG_MS = 10_000;

export interface RunEvents {
  onProgress?: (progress: RunProgress) => void;
  onEpoch?: (epoch: EpochLog) => void;
}

export class RunSupervisor {
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
  execute(runId: number, events: RunEvents = {}, trial?: TrialOptions): Promise<ModelRun | null> {
    if (this.stopping) return Promise.resolve(null);
    const execution = this.executeNow(runId, events, trial);
    this.running = execution.catch(() => {});
    return execution;
  }

  private async executeNow(runId: number, events: RunEvents, trial?: TrialOptions): Promise<ModelRun | null> {
    const { prisma, pool } = this.store;
    const queued = await prisma.modelRun.findUnique({ where: { id: runId } });
    if (queued?.status !== 'queued') return null;
    let runConfig: RunConfig;
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
      const outcome = (await this.runThread(
        { kind: 'train', run: { id: runId, forced: run.forced, config: runConfig, trial }, activeRmse },
        runId,
        log,
        events,
      )) as RunOutcome;
      const { matrix, ...rest } = outcome;
      const record = outcomeRecord(rest);
      if (outcome.status === 'rejected') {
        await recordFinished(prisma, runId, record);
        log.warn(
          { backend: outcome.backend, reason: outcome.reason, metrics: outcome.metrics },
          'run rejected by the quality gate; the served matrix is unchanged',
        );
      } else if (!matrix) {
        // A tuning trial: recorded, never swapped in.
        await recordFinished(prisma, runId, record);
        log.info({ backend: outcome.backend, metrics: outcome.metrics }, 'tuning trial done; the served matrix is unchanged');
      } else {
        events.onProgress?.({ phase: 'swap' });
        log.info({ phase: 'swap' }, 'phase: swap');
        const started = performance.now();
        await this.swapIn(runId, matrix, record, () => ({ ...rest.phases, swap: Math.round(performance.now() - started) / 1000 }));
        log.info(
          { backend: outcome.backend, metrics: outcome.metrics, phases: outcome.phases, matrix: { ...matrix, staging: undefined } },
          'run succeeded and is now served',
        );
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
      const { matrix, phases } = (await this.runThread({ kind: 'rescore', run: { id: runId } }, null, log, {})) as RescoreOutcome;
      await this.swapIn(runId, matrix, null);
      log.info({ matrix, phases }, 'run re-activated: its matrix is now served');
    } finally {
      await release();
    }
    return this.store.prisma.modelRun.findUniqueOrThrow({ where: { id: runId } });
  }

  /**
   * Re-scores a finished run from its saved artifacts into a matrix of its own beside the served one, for an
   * experiment variant (src/experiments/variant-matrices.ts); the served matrix and the active run are untouched.
   */
  async writeVariantMatrix(runId: number): Promise<void> {
    const log = this.log.child({ runId });
    const release = await holdStagingLock(this.store.url, runId);
    try {
      const { matrix, phases } = (await this.runThread({ kind: 'rescore', run: { id: runId } }, null, log, {})) as RescoreOutcome;
      try {
        await installVariantMatrix(this.store.pool, matrix.staging, runId);
      } catch (error) {
        await dropStaging(this.store.pool, matrix.staging).catch(() => {});
        throw error;
      }
      log.info({ matrix: { ...matrix, staging: undefined }, phases }, 'variant matrix written');
    } finally {
      await release();
    }
  }

  /**
   * One transaction: the new matrix replaces the old, and this run becomes the active one; then what the run
   * recorded (`record`, with the swap's own time from `phases` once it is done), unless it is a re-activation.
   */
  private async swapIn(runId: number, matrix: MatrixSummary, record: Prisma.ModelRunUpdateInput | null, phases?: () => object): Promise<void> {
    const { staging, ...summary } = matrix;
    // The last swap's VACUUM may still be working through the table this swap drops: let it finish
    // first rather than have the two take the partitions' locks in different orders.
    await this.vacuum;
    try {
      await swapInMatrix(
        this.store.pool,
        staging,
        (client) => markActive(client, runId, summary),
        (attempt) => this.log.warn({ runId, attempt }, 'the swap could not lock the served matrix in time (long readers); trying again'),
        keptForExperiment,
      );
    } catch (error) {
      await dropStaging(this.store.pool, staging).catch(() => {});
      throw error;
    }
    if (record) await recordFinished(this.store.prisma, runId, { ...record, ...(phases ? { phases: phases() as Prisma.InputJsonValue } : {}) });
    // Statistics and the visibility map for the new matrix (index-only scans then
    // skip the heap), after the swap so that readers never wait for them: what
    // autovacuum would do within a minute anyway.
    this.vacuum = withoutStatementTimeout(this.store.pool, (client) => client.query('VACUUM (ANALYZE) predictions')).then(
      () => {},
      (error) => this.log.warn({ err: error }, 'VACUUM (ANALYZE) predictions failed'),
    );
  }

  private runThread(job: RunJob, runId: number | null, log: Logger, events: RunEvents): Promise<RunOutcome | RescoreOutcome> {
    const input: RunThreadInput = {
      job,
      databaseUrl: this.store.url,
      settings: this.config.training,
      modelsDir: this.config.modelsDir,
    };
    const worker = new Worker(RUN_THREAD.url, { ...RUN_THREAD.options, workerData: input });
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
      if (p.phase === 'train' && p.batch && p.batches) {
        const key = `${p.member}/${p.epoch}`;
        if (key !== epochKey) {
          epochKey = key;
          epochStarted = Date.now();
        }
        eta = Math.round((((Date.now() - epochStarted) / 1000) * (p.batches - p.batch)) / p.batch);
      } else if (p.phase === 'score' && p.scored && p.of) {
        eta = Math.round((((Date.now() - phaseStarted) / 1000) * (p.of - p.scored)) / p.scored);
      }
      if (eta === undefined) return p;
      if (Date.now() - lastProgressLog >= PROGRESS_LOG_MS) {
        lastProgressLog = Date.now();
        log.info({ ...p, etaSeconds: eta }, `${progressLabel(p)}, about ${eta} s left${p.phase === 'train' ? ' in this epoch' : ''}`);
      }
      return { ...p, etaSeconds: eta };
    };
    return new Promise<RunOutcome | RescoreOutcome>((resolve, reject) => {
      // Checked often enough to stop a hung or overlong thread within a few seconds of its limit (stop() aborts at once).
      watchdog = setInterval(
        () => {
          const silent = Date.now() - lastBeat;
          if (silent > heartbeatTimeoutMs) {
            reject(
              new RunAborted(
                `The training thread sent no heartbeat for ${Math.round(silent / 1000)} s (RUN_HEARTBEAT_TIMEOUT is ${heartbeatTimeoutMs / 1000} s): it was stopped.`,
              ),
            );
          } else if (Date.now() - started > runTimeoutMs) {
            reject(new RunAborted(`The run took longer than RUN_TIMEOUT (${runTimeoutMs / 1000} s): it was stopped.`));
          }
        },
        Math.min(1000, heartbeatTimeoutMs / 4),
      );
      abort = reject;
      this.abortAll.add(reject);
      worker.on('message', (message: RunThreadMessage) => {
        if (message.type === 'heartbeat') beat();
        else if (message.type === 'progress') {
          progress = withEta(message.progress);
          events.onProgress?.(progress);
          beat();
        } else if (message.type === 'epoch') {
          const { epoch } = message;
          log.info(epoch, `${epochLabel(epoch)}: loss ${epoch.loss.toFixed(4)}, validation RMSE ${epoch.valRmse.toFixed(4)}`);
          events.onEpoch?.(epoch);
          if (runId !== null) void appendEpoch(pool, runId, epoch).catch(() => {});
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
