// Training takes a whole core for minutes while the API serves from the same
// machine. At a lower priority the API's requests come first, and on an idle
// core training still gets all of it. On Linux a thread's nice value is its
// own, so the training worker lowers only itself; elsewhere setpriority would
// lower the whole process, the API with it, so it is left alone there.
import os from 'node:os';

/** The nice value the training worker thread runs at (Linux). */
export const TRAINING_NICE = 10;

/** Lowers the calling thread's priority to TRAINING_NICE; false when not on Linux or not permitted. */
export function lowerThreadPriority(): boolean {
  if (process.platform !== 'linux') return false;
  try {
    os.setPriority(TRAINING_NICE);
    return true;
  } catch {
    return false;
  }
}
