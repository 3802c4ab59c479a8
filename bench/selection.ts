// `npm run bench:selection -- --data ../shared/data/ml-100k [--split u1] [--ranks 128,256,512] [--lambdas 8,12,18] [--seeds 42,43,44]`
// The selection model alone, outside the service: fitted on <split>.base as a run fits it (interactions weighted
// by their rating, λ a multiple of diag(XᵀX)'s mean), every product a user has not rated ranked by its pick
// score, the top 10 judged against what the user rated ≥ 4 in <split>.test — beside the 10 most-rated products
// of <split>.base the user has not rated. It tells what the served blend starts from. One JSON line on stdout.
import fs from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { CatalogRankingTally, topK } from '../src/model/metrics.js';
import { denseOps } from '../src/model/selection/dense-ops.js';
import { interactionMatrix, interactionWeight } from '../src/model/selection/interaction-matrix.js';
import { gramSubspace, meanDiagonal, selectionModel } from '../src/model/selection/linear-autoencoder.js';
import { runtimeFor } from '../src/model/stepper.js';
import { pickRows } from '../src/training/selection.js';
import { benchLogger, median, round } from './support.js';

const log = benchLogger('selection');
const list = (text: string) => text.split(',').map(Number);
const options = new Command()
  .option('--data <dir>', 'the ml-100k folder', '../shared/data/ml-100k')
  .option('--split <name>', 'u1 … u5, ua or ub', 'u1')
  .option('--ranks <list>', 'widths of the vectors', '256')
  .option('--lambdas <list>', 'λ as multiples of the mean of diag(XᵀX)', '8,12,18')
  .option('--dropout <p>', 'the input dropout whose penalty the model takes', '0.25')
  .option('--seeds <list>', 'seeds of the randomized subspace', '42,43,44,45,46')
  .parse()
  .opts<{ data: string; split: string; ranks: string; lambdas: string; dropout: string; seeds: string }>();

const dir = path.resolve(options.data);
const rows = (file: string) => {
  const full = path.join(dir, file);
  if (!fs.existsSync(full)) {
    console.error(`error: ${full} not found: --data must be the ml-100k folder`);
    process.exit(1);
  }
  return fs
    .readFileSync(full, 'utf8')
    .trim()
    .split('\n')
    .map((line) => line.split('\t').map(Number));
};
const base = rows(`${options.split}.base`);
const test = rows(`${options.split}.test`);
// MovieLens ids as indices (1-based: slot 0 is no one and nothing).
const numUsers = Math.max(...base.map((r) => r[0]), ...test.map((r) => r[0])) + 1;
const numItems = Math.max(...base.map((r) => r[1]), ...test.map((r) => r[1])) + 1;
const relevant = new Map<number, Set<number>>();
for (const [u, i, r] of test) if (r >= 4) relevant.set(u, (relevant.get(u) ?? new Set()).add(i));
const users = [...relevant.keys()].sort((a, b) => a - b);

const x = interactionMatrix(
  base.map((r) => r[0]),
  base.map((r) => r[1]),
  base.map((r) => interactionWeight(r[2], 1, 5)),
  numUsers,
  numItems,
);
const excluded = new Uint8Array(numItems);
/** Adds user u's top 10 of `scores` (their rated products left out) to `tally`. */
const judge = (tally: CatalogRankingTally, u: number, scores: ArrayLike<number>) => {
  const own = x.items.subarray(x.start[u], x.start[u + 1]);
  excluded[0] = 1;
  for (const i of own) excluded[i] = 1;
  tally.add(topK(scores, 10, excluded), relevant.get(u)!);
  for (const i of own) excluded[i] = 0;
};

const popularity = new Float32Array(numItems);
for (const [, i] of base) popularity[i]++;
const popular = new CatalogRankingTally(10, numItems);
for (const u of users) judge(popular, u, popularity);
const popularNdcg = popular.result().ndcg;

const ops = await denseOps(await runtimeFor('onnxruntime'), 2);
const results: { rank: number; lambdaFactor: number; seed: number; ndcg: number; hitRate: number; seconds: number }[] = [];
try {
  for (const rank of list(options.ranks)) {
    for (const seed of list(options.seeds)) {
      const started = performance.now();
      const subspace = await gramSubspace(x, rank, ops, seed);
      const fitSeconds = (performance.now() - started) / 1000;
      for (const lambdaFactor of list(options.lambdas)) {
        const model = await selectionModel(subspace, { dropout: Number(options.dropout), lambda: lambdaFactor * meanDiagonal(subspace) }, ops);
        const tally = new CatalogRankingTally(10, numItems);
        await pickRows(model, x, users, ops, (first, scores) => {
          for (let r = 0; first + r < users.length && r * numItems < scores.length; r++)
            judge(tally, users[first + r], scores.subarray(r * numItems, (r + 1) * numItems));
        });
        const { ndcg, hitRate } = tally.result();
        results.push({ rank, lambdaFactor, seed, ndcg: round(ndcg, 4), hitRate: round(hitRate, 4), seconds: round(fitSeconds) });
        log.info({ rank, lambdaFactor, seed, ndcg: round(ndcg, 4) }, 'fitted');
      }
    }
  }
} finally {
  await ops.release();
}
// Per rank and λ: the median over the seeds, and its ratio to popularity's.
const settings = [...new Set(results.map((r) => `${r.rank}:${r.lambdaFactor}`))].map((key) => {
  const [rank, lambdaFactor] = key.split(':').map(Number);
  const ndcgs = results.filter((r) => r.rank === rank && r.lambdaFactor === lambdaFactor).map((r) => r.ndcg);
  return {
    rank,
    lambdaFactor,
    medianNdcg: round(median(ndcgs), 4),
    min: Math.min(...ndcgs),
    max: Math.max(...ndcgs),
    vsPopularity: round(median(ndcgs) / popularNdcg, 3),
  };
});
console.log(JSON.stringify({ split: options.split, users: users.length, popularityNdcg: round(popularNdcg, 4), settings, fits: results }));
