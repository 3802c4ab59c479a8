// What the import-like commands (import movielens, import csv, seed) share:
// progress display, bad-row reporting, Ctrl-C handling and the summary.
import { importDataset, type ImportOptions } from '../../ingest/load.js';
import { RowProblems } from '../../ingest/problems.js';
import type { Dataset, ImportResult } from '../../ingest/types.js';
import type { Store } from '../../store/db.js';
import { withStore, type CliContext } from '../context.js';
import { createProgressDisplay } from '../progress.js';
import { formatImportSummary } from '../summary.js';

export interface ImportRunOptions {
  strict?: boolean;
  json?: boolean;
  /** First line of the summary, e.g. "Imported ml-100k". */
  title: string;
}

type Load = (store: Store, options: ImportOptions) => Promise<ImportResult>;

/**
 * Runs one import with progress and a summary. `makeDataset` is called before
 * the database is opened, so a missing file fails fast.
 */
export async function runImport(context: CliContext, options: ImportRunOptions, makeDataset: (problems: RowProblems) => Dataset): Promise<ImportResult> {
  const display = createProgressDisplay(context.log);
  const problems = new RowProblems({ strict: options.strict, onProblem: (problem) => display.onProblem(problem) });
  const dataset = makeDataset(problems);
  return runLoad(context, options, display, (store, extras) => importDataset(store, dataset, { ...extras, problems }));
}

/** Like runImport for loaders that build their own dataset (seed). */
export async function runLoad(
  context: CliContext,
  options: ImportRunOptions,
  display: ReturnType<typeof createProgressDisplay>,
  load: Load,
  /** More to say after the summary (a text line, and fields for --json). */
  after?: () => { text: string; json: Record<string, unknown> },
): Promise<ImportResult> {
  // First Ctrl-C: roll the import back and exit cleanly. Second: leave at once
  // (PostgreSQL rolls back a transaction whose connection goes away).
  const abort = new AbortController();
  const onInterrupt = () => {
    if (abort.signal.aborted) process.exit(130);
    context.log.warn('interrupted: the import is rolled back, nothing is written');
    abort.abort();
  };
  process.on('SIGINT', onInterrupt);
  try {
    const result = await withStore(context, (store) =>
      load(store, {
        scale: context.scale,
        onProgress: (progress) => display.onProgress(progress),
        signal: abort.signal,
      }),
    );
    display.stop();
    const more = after?.();
    console.log(
      options.json ? JSON.stringify({ ...result, ...more?.json }) : [formatImportSummary(options.title, result), ...(more ? [more.text] : [])].join('\n'),
    );
    return result;
  } finally {
    display.stop();
    process.off('SIGINT', onInterrupt);
  }
}
