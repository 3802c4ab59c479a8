import { InvalidArgumentError, type Command } from 'commander';
import { RowProblems } from '../../ingest/problems.js';
import { seedShop } from '../../ingest/synthetic.js';
import type { CliContext } from '../context.js';
import { createProgressDisplay } from '../progress.js';
import { runLoad } from './run-import.js';

export function wholeNumber(min: number) {
  return (text: string): number => {
    const value = Number(text);
    if (!/^\d+$/.test(text.trim()) || value < min) throw new InvalidArgumentError(`expected a whole number ≥ ${min}, got "${text}"`);
    return value;
  };
}

export function registerSeed(program: Command, context: () => CliContext): void {
  program
    .command('seed')
    .description('load a synthetic shop (users, products in categories, ratings from a hidden taste model); the same seed gives the same data')
    .option('--users <n>', 'number of users', wholeNumber(1), 200)
    .option('--products <n>', 'number of products', wholeNumber(1), 300)
    .option('--ratings <n>', 'number of ratings', wholeNumber(0), 8000)
    .option('--seed <n>', 'random seed', wholeNumber(0), 42)
    .option('--json', 'print the result as JSON')
    .action(async (options: { users: number; products: number; ratings: number; seed: number; json?: boolean }) => {
      const ctx = context();
      const { users, products, ratings, seed } = options;
      if (ratings > users * products) {
        throw new RangeError(`--ratings ${ratings} is more than ${users} users × ${products} products allow (${users * products})`);
      }
      const display = createProgressDisplay(ctx.log);
      await runLoad(ctx, { json: options.json, title: `Seeded a synthetic shop (seed ${seed})` }, display, (store, importOptions) =>
        seedShop(store, { users, products, ratings, seed }, { ...importOptions, problems: new RowProblems({ strict: true }) }),
      );
    });
}
