// The thread that trains (or re-scores) one run. It has its own database pool; everything it learns goes
// back to its supervisor as messages (src/training/run/protocol.ts), and the supervisor records them.
import { parentPort, workerData } from 'node:worker_threads';
import pg from 'pg';
import { trainRun, rescoreRun } from '../run/train-run.js';
import type { RunEnvironment, RunThreadInput, RunThreadMessage } from '../run/protocol.js';
import { lowerThreadPriority } from './priority.js';
import { injectedFault } from '../fault-injection.js';
import { stopSignal } from './thread-stop.js';

/** How often this thread says it is alive (the parent stops it after RUN_HEARTBEAT_TIMEOUT of silence). */
const HEARTBEAT_MS = 2_000;

lowerThreadPriority();

const input = workerData as RunThreadInput;
const post = (message: RunThreadMessage) => parentPort!.postMessage(message);
// From this thread's own event loop: a thread stuck in a loop stops beating.
const beating = setInterval(() => post({ type: 'heartbeat' }), HEARTBEAT_MS);
// Two connections: one streams the COPY while the other builds the previous partition's index.
const pool = new pg.Pool({ connectionString: input.databaseUrl, max: 2, connectionTimeoutMillis: 10_000 });
// A connection lost while idle must not end the thread; the statement that needed it fails the run instead.
pool.on('error', () => {});

// Test-only (src/training/fault-injection.ts): a thread that hangs for good, its event loop blocked (without
// spending a core, as a busy loop would).
if (injectedFault('hang', input.job.run.id)) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);

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
