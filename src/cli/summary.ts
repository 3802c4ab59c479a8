// The human-readable result of an import, printed on stdout.
import { describeProblem } from '../ingest/problems.js';
import type { ImportResult, TableCounts } from '../ingest/types.js';

function line(table: string, counts: TableCounts, extra = ''): string {
  return (
    `  ${table.padEnd(9)} ${String(counts.inserted).padStart(8)} new, ${counts.updated} updated, ` +
    `${counts.unchanged} unchanged, ${counts.skipped} skipped${extra}`
  );
}

const PROBLEMS_IN_SUMMARY = 10;

export function formatImportSummary(title: string, result: ImportResult): string {
  const lines = [
    `${title} in ${result.seconds.toFixed(2)} s`,
    line('users', result.users, result.users.createdFromRatings ? ` (${result.users.createdFromRatings} created from ratings)` : ''),
    line(
      'products',
      result.products,
      result.products.createdFromRatings ? ` (${result.products.createdFromRatings} created from ratings, named "Product <id>")` : '',
    ),
    line('ratings', result.ratings, result.ratings.duplicates ? `, ${result.ratings.duplicates} repeated in the file (last one kept)` : ''),
  ];
  const { events } = result;
  if (events.read > 0) {
    lines.push(`  ${'events'.padEnd(9)} ${String(events.inserted).padStart(8)} new, ${events.duplicates} recorded before, ${events.skipped} skipped`);
  }
  const { count, sample } = result.problems;
  if (count > 0) {
    lines.push(`${count} bad row${count === 1 ? ' was' : 's were'} skipped:`);
    for (const problem of sample.slice(0, PROBLEMS_IN_SUMMARY)) lines.push(`  ${describeProblem(problem)}`);
    if (count > PROBLEMS_IN_SUMMARY) lines.push(`  … and ${count - PROBLEMS_IN_SUMMARY} more`);
    lines.push('Fix them and import again (re-importing is safe), or use --strict to refuse files with bad rows.');
  }
  return lines.join('\n');
}
