// Stopping a thread that may be running onnxruntime: asked, not killed. A worker thread terminated while
// an onnxruntime call is in flight aborts the whole process ("terminate called after throwing an
// instance of 'Napi::Error'"), so a thread is told to stop at its next step, ends its calls and exits
// by itself; only a thread still there after the grace period (stuck in a loop of its own) is terminated.
import type { MessagePort, Worker } from 'node:worker_threads';

export const STOP = 'stop';
const GRACE_MS = 10_000;

/** Asks `worker` to stop and resolves once it has exited. */
export async function stopThread(worker: Worker, graceMs = GRACE_MS): Promise<void> {
  if (worker.threadId === -1) return; // exited already
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.postMessage(STOP);
  const timer = setTimeout(() => void worker.terminate(), graceMs);
  await exited;
  clearTimeout(timer);
}

/** In the thread: an AbortSignal raised when the parent asks it to stop. */
export function stopSignal(port: MessagePort): AbortSignal {
  const controller = new AbortController();
  port.on('message', (message) => {
    if (message === STOP) controller.abort(new Error('the thread was asked to stop'));
  });
  return controller.signal;
}
