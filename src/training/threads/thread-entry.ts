// Where a worker thread starts from. Compiled (dist/, as `npm start` runs) it is the thread's module itself;
// from the TypeScript sources (tests, CLI and benchmarks run them through tsx) it is tsx-thread.mjs, which
// registers tsx first and then loads the module named in its argv.
import type { WorkerOptions } from 'node:worker_threads';

export interface ThreadEntry {
  url: URL;
  options: Pick<WorkerOptions, 'argv'>;
}

/** The entry of the thread module `module` (a file name without extension) beside `base` (import.meta.url). */
export function threadEntry(module: string, base: string): ThreadEntry {
  if (!base.endsWith('.ts')) return { url: new URL(`./${module}.js`, base), options: {} };
  return { url: new URL('./tsx-thread.mjs', import.meta.url), options: { argv: [new URL(`./${module}.ts`, base).href] } };
}
