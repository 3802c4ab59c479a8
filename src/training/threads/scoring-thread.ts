// A scoring thread (src/training/scoring-threads.ts): loads the run's saved
// model, scores its blocks of users, and sends each block to the parent,
// never more than the window ahead of what the parent has consumed.
import { parentPort, workerData } from 'node:worker_threads';
import { initBackend } from '../../model/backend.js';
import { loadModel } from '../../model/artifacts.js';
import { scoreAllItems } from '../../model/score.js';
import { lowerThreadPriority } from './priority.js';
import { CONSUMED, SCORING_WINDOW, type ScoringThreadInput, type ScoringThreadMessage } from './scoring-threads.js';

lowerThreadPriority();

const input = workerData as ScoringThreadInput;
const port = parentPort!;
let ahead = 0;
let wake: (() => void) | null = null;
port.on('message', (message) => {
  if (message !== CONSUMED) return;
  ahead--;
  wake?.();
  wake = null;
});

try {
  await initBackend(input.backend);
  const { model } = await loadModel(input.artifactPath);
  try {
    await scoreAllItems(
      model,
      input.users,
      async (block) => {
        const message: ScoringThreadMessage = { type: 'block', users: block.users, numItems: block.numItems, scores: block.scores };
        port.postMessage(message, [block.scores.buffer as ArrayBuffer]);
        if (++ahead >= SCORING_WINDOW) await new Promise<void>((resolve) => (wake = resolve));
      },
      // These threads are TensorFlow.js's way to use several cores; onnxruntime scores on threads of its own.
      { usersPerBlock: input.usersPerBlock, clip: input.clip, engine: 'tfjs' },
    );
  } finally {
    model.dispose();
  }
} catch (error) {
  const message: ScoringThreadMessage = { type: 'error', message: (error as Error).message, stack: (error as Error).stack };
  port.postMessage(message);
}
// Done: the parent terminates this thread once it has consumed every block.
