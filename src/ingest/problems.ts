// Bad rows: collected with file and line, skipped, and in strict mode fatal.
// One collector is shared by a parser and the importer so that both kinds of
// problem (unparsable line, rating out of range, unknown user...) are counted
// and reported the same way.
import type { RowProblem, TableName } from './types.js';

/** An import that cannot go on; the message says what to do. Nothing was written. */
export class ImportError extends Error {
  override name = 'ImportError';
}

/** The first bad row of a strict import. */
export class StrictImportError extends ImportError {
  override name = 'StrictImportError';
  constructor(readonly problem: RowProblem) {
    super(`${describeProblem(problem)} (strict mode: the import was aborted and nothing was written)`);
  }
}

export class ImportAbortedError extends ImportError {
  override name = 'ImportAbortedError';
  constructor() {
    super('Import interrupted: it was rolled back and nothing was written');
  }
}

export function describeProblem(problem: RowProblem): string {
  return `${problem.file} line ${problem.line}: ${problem.message}`;
}

export interface RowProblemsOptions {
  /** Throw on the first problem instead of skipping the row. */
  strict?: boolean;
  /** How many problems to keep for the summary (all are counted). */
  keep?: number;
  /** Called for every problem, e.g. to print it. */
  onProblem?: (problem: RowProblem) => void;
}

export class RowProblems {
  readonly sample: RowProblem[] = [];
  readonly byTable: Record<TableName, number> = { users: 0, products: 0, ratings: 0, events: 0 };
  count = 0;

  constructor(private readonly options: RowProblemsOptions = {}) {}

  get strict(): boolean {
    return this.options.strict ?? false;
  }

  report(problem: RowProblem): void {
    this.count++;
    this.byTable[problem.table]++;
    if (this.sample.length < (this.options.keep ?? 100)) this.sample.push(problem);
    this.options.onProblem?.(problem);
    if (this.strict) throw new StrictImportError(problem);
  }
}
