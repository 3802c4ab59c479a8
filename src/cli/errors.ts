// Which failures are "expected" (bad input, unreachable database...): those are
// shown as one clear message without a stack trace. Anything else is a bug and
// keeps its stack.
import { ImportError } from '../ingest/problems.js';
import { DatabaseUnavailableError } from '../store/connect.js';
import { MigrationError } from '../store/migrate.js';

/** A failure the user can fix; the message says what went wrong and what to do. */
export class CliError extends Error {
  override name = 'CliError';
}

export function isExpectedError(error: unknown): error is Error {
  return (
    error instanceof CliError ||
    error instanceof ImportError ||
    error instanceof DatabaseUnavailableError ||
    error instanceof MigrationError ||
    error instanceof RangeError
  );
}
