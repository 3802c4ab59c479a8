// Scoring the whole matrix on several threads. The WebAssembly backend runs on
// one thread (its threaded build is not used in Node), and
// scoring is users × products × every network of the ensemble, the largest
// part of a nightly job once the catalog grows. So each scoring thread loads
// the run's saved model and scores every T-th block of users; the blocks come
// back here and go to `onBlock` in user order, as the write-back needs them.
// Each thread runs at most SCORING_WINDOW blocks ahead of the writer, so memory stays
// bounded however large the matrix.
import { Worker } from 'node:worker_threads';
import type { ScoreBlock } from '../../model/score.js';
import { threadEntry } from './thread-entry.js';

const ENTRY = threadEntry('scoring-thread', import.meta.url);

/** Blocks a thread may have sent and not yet seen consumed. */
export const SCORING_WINDOW = 2;

export interface ScoringThreadInput {
  artifactPath: string;
  backend: string;
  /** This thread's users: its blocks, one after another. */
  users: Int32Array;
  usersPerBlock: number;
  clip: boolean;
}

export type ScoringThreadMessage =
  | { type: 'block'; users: Int32Array; numItems: number; scores: Float32Array }
  | { type: 'error'; message: string; stack?: string };

/** The parent's answer to a block: it was consumed, send another. */
export const CONSUMED = 'consumed';

/** A thread's blocks as they arrive, taken one at a time in order. */
class BlockQueue {
  private readonly ready: ScoreBlock[] = [];
  private waiting: { resolve: (block: ScoreBlock) => void; reject: (error: Error) => void } | null = null;
  private failure: Error | null = null;

  push(block: ScoreBlock): void {
    if (this.waiting) {
      this.waiting.resolve(block);
      this.waiting = null;
    } else this.ready.push(block);
  }

  fail(error: Error): void {
    this.failure ??= error;
    this.waiting?.reject(error);
    this.waiting = null;
  }

  next(): Promise<ScoreBlock> {
    const block = this.ready.shift();
    if (block) return Promise.resolve(block);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => (this.waiting = { resolve, reject }));
  }
}

/**
 * The same blocks as scoreAllItems(model, users, onBlock, { usersPerBlock, clip }) gives, from `threads`
 * threads that load the model saved in `artifactPath`.
 */
export async function scoreAllItemsInThreads(
  options: { artifactPath: string; backend: string; threads: number; usersPerBlock?: number; clip?: boolean },
  users: Int32Array,
  onBlock: (block: ScoreBlock) => void | Promise<void>,
): Promise<void> {
  const per = Math.max(1, options.usersPerBlock ?? 8);
  const blocks = Math.ceil(users.length / per);
  const threads = Math.max(1, Math.min(options.threads, blocks));
  const workers: Worker[] = [];
  const queues: BlockQueue[] = [];
  try {
    for (let t = 0; t < threads; t++) {
      // Thread t scores blocks t, t + T, t + 2T, …
      const mine: number[] = [];
      for (let b = t; b < blocks; b += threads) mine.push(...users.subarray(b * per, (b + 1) * per));
      const input: ScoringThreadInput = {
        artifactPath: options.artifactPath,
        backend: options.backend,
        users: Int32Array.from(mine),
        usersPerBlock: per,
        clip: options.clip ?? true,
      };
      const queue = new BlockQueue();
      const worker = new Worker(ENTRY.url, { ...ENTRY.options, workerData: input });
      worker.on('message', (message: ScoringThreadMessage) => {
        if (message.type === 'block') queue.push({ users: message.users, numItems: message.numItems, scores: message.scores });
        else queue.fail(Object.assign(new Error(`scoring thread: ${message.message}`), { stack: message.stack }));
      });
      worker.on('error', (error) => queue.fail(error));
      worker.on('exit', (code) => queue.fail(new Error(`a scoring thread exited (code ${code}) before sending all its blocks`)));
      workers.push(worker);
      queues.push(queue);
    }
    for (let b = 0; b < blocks; b++) {
      const t = b % threads;
      const block = await queues[t].next();
      workers[t].postMessage(CONSUMED);
      await onBlock(block);
    }
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}
