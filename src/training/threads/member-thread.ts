// A thread training one network of the ensemble (src/training/member-threads.ts):
// the same trainMember as training in turn, its epochs and batches relayed to
// the parent, and the trained weights sent back at the end.
import { parentPort, workerData } from 'node:worker_threads';
import { initBackend } from '../../model/backend.js';
import { trainMember } from '../../model/train.js';
import { lowerThreadPriority } from './priority.js';
import { stopSignal } from './thread-stop.js';
import type { MemberThreadInput, MemberThreadMessage } from './member-threads.js';

lowerThreadPriority();

const input = workerData as MemberThreadInput;
const post = (message: MemberThreadMessage, transfer: ArrayBuffer[] = []) => parentPort!.postMessage(message, transfer);

try {
  await initBackend(input.backend);
  const trained = await trainMember(input.split, input.config, input.member, {
    engine: input.engine,
    deadline: input.deadline,
    pruneAbove: input.pruneAbove,
    signal: stopSignal(parentPort!),
    onEpoch: (epoch) => post({ type: 'epoch', epoch }),
    onBatch: (batch) => post({ type: 'batch', batch }),
  });
  const weights = trained.model.getWeights();
  trained.model.dispose();
  const buffers = Object.values(weights).map((w) => w.values.buffer as ArrayBuffer);
  post(
    { type: 'done', weights, history: trained.history, refitHistory: trained.refitHistory, bestEpoch: trained.bestEpoch, stopped: trained.stopped },
    buffers,
  );
} catch (error) {
  post({ type: 'error', message: (error as Error).message, stack: (error as Error).stack });
} finally {
  parentPort!.close(); // exits by itself once its work has ended (thread-stop.ts)
}
