// The registry of training runs (table model_runs), and the one writer of it: how a run is requested,
// claimed, advanced, finished, swapped in and reaped. The partial unique index model_runs_single_pending
// keeps at most one run queued or running, so concurrent requests collapse onto the same run. (The artifact
// store records a run's model hash itself, in the transaction that stores the files: src/store/blob.)
import os from 'node:os';
import type pg from 'pg';
import { Prisma, type ModelRun, type RunTrigger } from '../store/generated/prisma/client.js';
import type { PrismaClient } from '../store/db.js';
import type { EpochLog } from '../model/train.js';
import type { MatrixSummary, RunOutcome } from './run/protocol.js';

export type { ModelRun, RunTrigger };

export interface RunRequest {
  trigger: RunTrigger;
  force?: boolean;
  /** Overrides of the training configuration (the full resolved config is stored when the run starts). */
  config?: Record<string, unknown>;
}

/** This process (host:pid), as recorded in a run's `worker` column. */
export const THIS_PROCESS = `${os.hostname()}:${process.pid}`;

/** A run without a heartbeat for this long is considered dead (its process is gone). */
export const HEARTBEAT_TIMEOUT_MS = 120_000;

/** Queues a run, or returns the run already queued or running. `created` says which. */
export async function requestRun(prisma: PrismaClient, request: RunRequest): Promise<{ run: ModelRun; created: boolean }> {
  for (;;) {
    const inserted = await prisma.$queryRaw<{ id: number }[]>`
      INSERT INTO model_runs (trigger, forced, config)
      VALUES (${request.trigger}::"RunTrigger", ${request.force ?? false}, ${JSON.stringify(request.config ?? {})}::jsonb)
      ON CONFLICT DO NOTHING
      RETURNING id`;
    if (inserted.length > 0) {
      return { run: await prisma.modelRun.findUniqueOrThrow({ where: { id: inserted[0].id } }), created: true };
    }
    const pending = await prisma.modelRun.findFirst({ where: { status: { in: ['queued', 'running'] } } });
    // The pending run may have finished between the two statements: then try again.
    if (pending) return { run: pending, created: false };
  }
}

/** Marks a queued run as running by this process; null when someone else already took it. */
export async function claimRun(prisma: PrismaClient, runId: number, config: object): Promise<ModelRun | null> {
  const { count } = await prisma.modelRun.updateMany({
    where: { id: runId, status: 'queued' },
    data: {
      status: 'running',
      startedAt: new Date(),
      heartbeatAt: new Date(),
      worker: THIS_PROCESS,
      config: config as Prisma.InputJsonValue,
      progress: { phase: 'starting' },
    },
  });
  return count === 1 ? prisma.modelRun.findUniqueOrThrow({ where: { id: runId } }) : null;
}

export async function markFailed(prisma: PrismaClient, runId: number, error: string): Promise<void> {
  await prisma.modelRun.updateMany({
    where: { id: runId, status: { in: ['queued', 'running'] } },
    data: { status: 'failed', error, finishedAt: new Date(), progress: Prisma.DbNull },
  });
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Marks as failed the runs left `running` by a process that died: one on this
 * host whose pid is gone, or any whose heartbeat stopped. Returns their ids.
 */
export async function reapDeadRuns(prisma: PrismaClient, now = new Date()): Promise<number[]> {
  const running = await prisma.modelRun.findMany({ where: { status: 'running' } });
  const dead: number[] = [];
  for (const run of running) {
    const [host, pid] = (run.worker ?? '').split(':');
    const silentFor = now.getTime() - (run.heartbeatAt ?? run.startedAt ?? run.createdAt).getTime();
    const gone = host === os.hostname() && Number(pid) !== process.pid ? !processAlive(Number(pid)) : false;
    if (gone || silentFor > HEARTBEAT_TIMEOUT_MS) {
      await markFailed(
        prisma,
        run.id,
        gone
          ? `The process running this run (${run.worker}) died; the active matrix was not touched.`
          : `No heartbeat from ${run.worker} for ${Math.round(silentFor / 1000)} s; the run was abandoned and the active matrix was not touched.`,
      );
      dead.push(run.id);
    }
  }
  return dead;
}

export async function heartbeat(pool: pg.Pool, runId: number, progress?: object): Promise<void> {
  await pool.query(`UPDATE model_runs SET heartbeat_at = now(), progress = COALESCE($2::jsonb, progress) WHERE id = $1 AND status = 'running'`, [
    runId,
    progress ? JSON.stringify(progress) : null,
  ]);
}

/** Queues a tuning trial's run (trials are queued one at a time by their search, outside the single-pending rule's queue). */
export async function queueTrial(prisma: PrismaClient, config: object, searchId: number): Promise<ModelRun> {
  return prisma.modelRun.create({ data: { trigger: 'tuning', config: config as Prisma.InputJsonValue, searchId } });
}

/** Fails the runs still queued among `where` (trials of a search that stopped), saying why. */
export async function failQueued(prisma: PrismaClient, where: Prisma.ModelRunWhereInput, error: string): Promise<void> {
  await prisma.modelRun.updateMany({ where: { ...where, status: 'queued' }, data: { status: 'failed', error, finishedAt: new Date() } });
}

/** A finished epoch, appended to the run's history as it ends (the dashboard and `runs` follow it live). */
export async function appendEpoch(pool: pg.Pool, runId: number, epoch: EpochLog): Promise<void> {
  await pool.query('UPDATE model_runs SET history = history || $2::jsonb, heartbeat_at = now() WHERE id = $1', [runId, JSON.stringify([epoch])]);
}

/** What a finished run recorded, as model_runs keeps it. */
export function outcomeRecord(outcome: Omit<RunOutcome, 'matrix'>): Prisma.ModelRunUpdateInput {
  const json = (value: unknown) => value as Prisma.InputJsonValue;
  return {
    status: outcome.status,
    backend: outcome.backend,
    // What it trained with: the claimed configuration, sized to the shop (atTrainingSize: its step size, historyMaxInteractions).
    config: json(outcome.config),
    dataCounts: json(outcome.dataCounts),
    metrics: json(outcome.metrics),
    history: json(outcome.history),
    phases: json(outcome.phases),
    artifactPath: outcome.artifactPath,
    reason: outcome.reason,
    progress: Prisma.DbNull,
    finishedAt: new Date(),
  };
}

/** Records a finished run that is not swapped in (rejected by the gate, or a tuning trial). */
export async function recordFinished(prisma: PrismaClient, runId: number, record: Prisma.ModelRunUpdateInput): Promise<void> {
  await prisma.modelRun.update({ where: { id: runId }, data: record });
}

/** In the swap's transaction: this run becomes the one served, with its matrix's summary. */
export async function markActive(client: pg.PoolClient, runId: number, matrix: Omit<MatrixSummary, 'staging'>): Promise<void> {
  await client.query('UPDATE model_runs SET active = false WHERE active AND id <> $1', [runId]);
  await client.query('UPDATE model_runs SET active = true, matrix = $2::jsonb WHERE id = $1', [runId, JSON.stringify(matrix)]);
}
