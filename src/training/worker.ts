// Entry point of the worker thread that trains (or re-scores) one run. It has
// its own database pool; everything it learns goes back to the parent as
// messages, and the parent records them (src/training/trainer.ts).
import { parentPort, workerData } from 'node:worker_threads';
import pg from 'pg';
import { trainRun, rescoreRun, type RunConfig, type RunEnvironment } from './pipeline.js';
import type { TrainingSettings } from '../config.js';
import { lowerThreadPriority } from './priority.js';
import { injectedFault } from './fault-injection.js';
import { stopSignal } from './thread-stop.js';

export type WorkerJob =
  | { kind: 'train'; run: { id: number; forced: boolean; config: RunConfig; trial?: TrialOptions }; activeRmse: number | null }
  | { kind: 'rescore'; run: { id: number } };

/** A tuning trial: trained and evaluated like any run, pruned when it falls behind, never served. */
export interface TrialOptions {
  pruneAbove?: number[];
  /** Date.now() past which the search's budget is spent: the trial stops at an epoch boundary before. */
  deadline?: number;
}

export interface WorkerInput {
  job: WorkerJob;
  databaseUrl: string;
  settings: TrainingSettings;
  modelsDir: string;
}

export type WorkerMessage =
  | { type: 'heartbeat' }
  | { type: 'progress'; progress: unknown }
  | { type: 'epoch'; epoch: unknown }
  | { type: 'done'; result: unknown }
  | { type: 'error'; message: string; stack?: string };

/** How often this thread says it is alive (the parent stops it after RUN_HEARTBEAT_TIMEOUT of silence). */
const HEARTBEAT_MS = 2_000;

lowerThreadPriority();

const input = workerData as WorkerInput;
const post = (message: WorkerMessage) => parentPort!.postMessage(message);
// From this thread's own event loop: a thread stuck in a loop stops beating.
const beating = setInterval(() => post({ type: 'heartbeat' }), HEARTBEAT_MS);
// Two connections: one streams the COPY while the other builds the previous partition's index.
const pool = new pg.Pool({ connectionString: input.databaseUrl, max: 2, connectionTimeoutMillis: 10_000 });
// A connection lost while idle must not end the thread; the statement that needed it fails the run instead.
pool.on('error', () => {});

// Test-only (src/training/fault-injection.ts): a thread that hangs for good.
if (injectedFault('hang', input.job.run.id)) for (;;);

const env: RunEnvironment = {
  pool,
  settings: input.settings,
  modelsDir: input.modelsDir,
  onProgress: (progress) => post({ type: 'progress', progress }),
  onEpoch: (epoch) => post({ type: 'epoch', epoch }),
  signal: stopSignal(parentPort!),
};

try {
  const result = input.job.kind === 'train' ? await trainRun(env, input.job.run, input.job.activeRmse) : await rescoreRun(env, input.job.run);
  post({ type: 'done', result });
} catch (error) {
  post({ type: 'error', message: (error as Error).message, stack: (error as Error).stack });
} finally {
  clearInterval(beating);
  await pool.end();
  parentPort!.close(); // nothing left on this thread's loop: it exits by itself (thread-stop.ts)
}
