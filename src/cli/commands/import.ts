import path from 'node:path';
import type { Command } from 'commander';
import { readRatingsCsvFile } from '../../ingest/csv.js';
import { readEventsCsvFile } from '../../ingest/events-csv.js';
import { readProductsFile, readUsersFile } from '../../ingest/catalog-files.js';
import { detectMovieLensLayout, readMovieLens } from '../../ingest/movielens.js';
import type { CliContext } from '../context.js';
import type { RowProblems } from '../../ingest/problems.js';
import type { Dataset } from '../../ingest/types.js';
import { runImport } from './run-import.js';

interface CommonOptions {
  strict?: boolean;
  json?: boolean;
}

export function registerImport(program: Command, context: () => CliContext): void {
  const command = program.command('import').description('bulk-load a data set; all or nothing: a failure or Ctrl-C leaves the database unchanged');

  command
    .command('movielens <dir>')
    .description('MovieLens 100K (u.item, u.user, u.data) or "latest" (movies.csv, ratings.csv), detected from the files')
    .option('--ratings <file>', 'ratings file instead of u.data / ratings.csv, e.g. u1.base (relative to <dir>)')
    .option('--strict', 'refuse the whole import at the first bad row')
    .option('--json', 'print the result as JSON')
    .action(async (dir: string, options: CommonOptions & { ratings?: string }) => {
      const folder = path.resolve(dir);
      const layout = detectMovieLensLayout(folder);
      await runImport(
        context(),
        { ...options, title: `Imported MovieLens (${layout} layout) from ${dir}` },
        (problems) => readMovieLens(folder, { ratingsFile: options.ratings, problems }).dataset,
      );
    });

  command
    .command('csv')
    .description('ratings as CSV: user_id,product_id,rating[,timestamp] (header optional); unknown users and products are created')
    .requiredOption('--ratings <file>', 'the CSV file')
    .option('--strict', 'refuse the whole import at the first bad row')
    .option('--json', 'print the result as JSON')
    .action(async (options: CommonOptions & { ratings: string }) => {
      await runImport(context(), { ...options, title: `Imported ${options.ratings}` }, (problems) =>
        readRatingsCsvFile(path.resolve(options.ratings), { problems }),
      );
    });

  // The imports of one file (--file): events, products, users.
  const fileImport = (name: string, description: string, read: (file: string, options: { problems: RowProblems }) => Dataset) =>
    command
      .command(name)
      .description(description)
      .requiredOption('--file <file>', 'the file')
      .option('--strict', 'refuse the whole import at the first bad row')
      .option('--json', 'print the result as JSON')
      .action(async (options: CommonOptions & { file: string }) => {
        await runImport(context(), { ...options, title: `Imported ${options.file}` }, (problems) => read(path.resolve(options.file), { problems }));
      });
  fileImport(
    'events',
    'interaction events as CSV: user_id,product_id,type[,timestamp[,value]] (type: view, cart, purchase or wishlist; header optional; an event_id column makes a re-import count each event once); unknown users and products are created',
    readEventsCsvFile,
  );
  fileImport(
    'products',
    'the catalog as CSV with a header (id, name, category, price, available, repurchasable, attributes as JSON; other columns become attributes) or JSON lines (.jsonl); existing products are updated',
    readProductsFile,
  );
  fileImport(
    'users',
    'users as CSV with a header (id, name, attributes as JSON; other columns become attributes) or JSON lines (.jsonl); existing users are updated',
    readUsersFile,
  );
}
