import fs from 'node:fs';
import { InvalidArgumentError, type Command } from 'commander';
import { RowProblems } from '../../ingest/problems.js';
import { seedShop, tasteReport, type SyntheticShop, type TasteReport } from '../../ingest/synthetic.js';
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

const share = (text: string): number => {
  const value = Number(text);
  if (!(value >= 0 && value < 1)) throw new InvalidArgumentError(`expected a share in [0, 1), got "${text}"`);
  return value;
};

interface SeedOptions {
  users: number;
  products: number;
  ratings: number;
  seed: number;
  heldOut: number;
  heldOutFile?: string;
  json?: boolean;
}

/** One line of what the shop lets a model learn, for the summary. */
export function describeTaste(report: TasteReport): string {
  const where = report.heldOut ? `${report.ratings} held-out ratings` : `a tenth of the ratings (${report.ratings}; the baseline fitted on the rest)`;
  return (
    `Taste model: the oracle's RMSE (the noise floor) is ${report.oracleRmse.toFixed(4)} against the bias baseline's ${report.baselineRmse.toFixed(4)} on ${where}: ` +
    `a model can get ${(100 * report.gapShare).toFixed(1)} % below the baseline.`
  );
}

export function registerSeed(program: Command, context: () => CliContext): void {
  program
    .command('seed')
    .description('load a synthetic shop (users, products in categories, ratings from a hidden taste model); the same seed gives the same data')
    .option('--users <n>', 'number of users', wholeNumber(1), 200)
    .option('--products <n>', 'number of products', wholeNumber(1), 300)
    .option('--ratings <n>', 'number of ratings drawn', wholeNumber(0), 8000)
    .option('--seed <n>', 'random seed', wholeNumber(0), 42)
    .option('--held-out <share>', 'share of the drawn ratings left out of the import (to measure a model against)', share, 0)
    .option('--held-out-file <file>', 'write the held-out ratings there (user, product, rating; tab separated)')
    .option('--json', 'print the result as JSON')
    .action(async (options: SeedOptions) => {
      const ctx = context();
      const { users, products, ratings, seed, heldOut } = options;
      if (ratings > users * products) {
        throw new RangeError(`--ratings ${ratings} is more than ${users} users × ${products} products allow (${users * products})`);
      }
      if (options.heldOutFile && heldOut === 0) throw new InvalidArgumentError('--held-out-file needs --held-out');
      const display = createProgressDisplay(ctx.log);
      let shop: SyntheticShop | undefined;
      const result = await runLoad(
        ctx,
        { json: options.json, title: `Seeded a synthetic shop (seed ${seed})` },
        display,
        (store, importOptions) =>
          seedShop(store, { users, products, ratings, seed, heldOut }, { ...importOptions, problems: new RowProblems({ strict: true }) }, (s) => (shop = s)),
        () => {
          const report = tasteReport(shop!);
          return { text: describeTaste(report), json: { taste: report } };
        },
      );
      if (options.heldOutFile && shop) {
        fs.writeFileSync(options.heldOutFile, shop.heldOut.map((r) => `${r.userId}\t${r.productId}\t${r.value}\n`).join(''));
      }
      void result;
    });
}
