// Training the networks of an ensemble on threads of their own. The WebAssembly
// backend computes on one thread (its threaded build is not used in Node), so one after another three
// networks take three times one; here each network trains in its own thread
// (at most `threads` at once) on the same split with the same code as in turn
// (trainMember), and comes back as its weights. The results are the same
// networks, weight for weight, as training them in turn.
import { Worker } from 'node:worker_threads';
import { RankingModel, type ModelWeights } from '../../model/ranking-model.js';
import {
  memberConfig,
  type StopReason,
  type BatchProgress,
  type EpochLog,
  type MemberTrainer,
  type TrainedMember,
  type TrainingSplit,
} from '../../model/train.js';
import type { TrainingConfig } from '../../model/config.js';
import type { EngineName } from '../../model/stepper.js';
import { threadEntry } from './thread-entry.js';
import { stopThread } from './thread-stop.js';

const ENTRY = threadEntry('member-thread', import.meta.url);

export interface MemberThreadInput {
  backend: string;
  engine: EngineName;
  deadline: number | undefined;
  pruneAbove: number[] | undefined;
  split: TrainingSplit;
  config: TrainingConfig;
  member: number;
}

export type MemberThreadMessage =
  | { type: 'epoch'; epoch: EpochLog }
  | { type: 'batch'; batch: BatchProgress }
  | { type: 'done'; weights: ModelWeights; history: EpochLog[]; refitHistory: EpochLog[]; bestEpoch: number; stopped: StopReason }
  | { type: 'error'; message: string; stack?: string };

/**
 * A MemberTrainer that trains each network in a thread of its own, `threads` at a time. Every epoch
 * reaches opts.onEpoch as it ends; batch progress is passed on for the lowest-numbered network still
 * training, so a progress bar follows one network at a time rather than jumping between them.
 */
export function memberThreads(options: { threads: number; backend: string; engine: EngineName }): MemberTrainer {
  return async (split, config, members, opts) => {
    const running = new Set<number>();
    const workers = new Set<Worker>();
    const trained: TrainedMember[] = [];
    let failure: Error | null = null;

    const trainOne = (member: number) =>
      new Promise<TrainedMember>((resolve, reject) => {
        const input: MemberThreadInput = {
          backend: options.backend,
          engine: options.engine,
          deadline: opts.deadline,
          pruneAbove: opts.pruneAbove,
          split,
          config,
          member,
        };
        const worker = new Worker(ENTRY.url, { ...ENTRY.options, workerData: input });
        workers.add(worker);
        running.add(member);
        const settle = () => {
          running.delete(member);
          workers.delete(worker);
        };
        worker.on('message', (message: MemberThreadMessage) => {
          if (message.type === 'epoch') opts.onEpoch?.(message.epoch);
          else if (message.type === 'batch') {
            if (member === Math.min(...running)) opts.onBatch?.(message.batch);
          } else if (message.type === 'done') {
            settle();
            const model = new RankingModel(memberConfig(config, member), split.data.numUsers, split.data.numItems, { weights: message.weights });
            resolve({ member, model, history: message.history, refitHistory: message.refitHistory, bestEpoch: message.bestEpoch, stopped: message.stopped });
          } else {
            settle();
            reject(Object.assign(new Error(`network ${member + 1}: ${message.message}`), { stack: message.stack }));
          }
        });
        worker.on('error', (error) => {
          settle();
          reject(error);
        });
        worker.on('exit', (code) => {
          settle();
          reject(new Error(`the thread training network ${member + 1} exited (code ${code}) before sending it`));
        });
      });

    // The run stopped (its thread was asked to): every network's thread is asked too.
    opts.signal?.addEventListener('abort', () => {
      failure ??= opts.signal!.reason as Error;
      for (const worker of workers) void stopThread(worker);
    });
    // A pool of `threads` lanes, each taking the next network when its last one is done.
    const queue = [...members];
    const lane = async () => {
      for (let member = queue.shift(); member !== undefined && !failure; member = queue.shift()) {
        try {
          trained.push(await trainOne(member));
        } catch (error) {
          failure ??= error as Error;
          for (const worker of workers) void stopThread(worker); // the others stop too: the run has failed
        }
      }
    };
    const lanes = Math.max(1, Math.min(options.threads, members.length));
    await Promise.all(Array.from({ length: lanes }, lane));
    await Promise.all([...workers].map((worker) => stopThread(worker)));
    if (failure) {
      for (const t of trained) t.model.dispose();
      throw failure;
    }
    return members.map((m) => trained.find((t) => t.member === m)!);
  };
}
