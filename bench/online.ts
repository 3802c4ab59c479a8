// `npm run bench:online [-- --users 3000 --products 600 --ratings 90000 --repetitions 40]`
// A/B tests proved on simulated shoppers. A synthetic shop is seeded and two models trained on it (a strong
// run and a weak one); then the shop's hidden taste model (src/ingest/taste-model.ts) plays its shoppers
// against the service's HTTP API, 8 at a time: each visit asks for recommendations(first: 10), views the
// product at position i with probability 0.6 · 0.85^(i−1) · pick(u, p), buys a viewed one with probability
// 0.5 · like(u, p) — pick(u, p) being where p stands, from 0 to 1, in u's pick weights over the catalog
// (popularity × taste, as the shop's ratings were drawn), like(u, p) the taste model's P(u would rate p ≥ 4)
// — and sends those events with the list's recommendationId. Experiments (metric CONVERSION) run through startExperiment / experiment /
// stopExperiment:
//  1. the strong run against the popular list, over a simulated day (every shopper visits twice);
//  2. the strong run against the weak one, over a day, then stopped with promote;
//  3. A/A: the strong run twice, `--repetitions` times, each a new experiment (a new split) over one visit
//     per shopper with its own seeded behaviour.
// The variant the taste model prefers is the one whose served lists convert better in expectation (the
// probabilities above summed over what each variant actually showed, not sampled). One JSON line on stdout.
// Database: the server of DATABASE_URL (which must allow CREATE DATABASE), or the embedded PostgreSQL.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { loadConfig } from '../src/config.js';
import { startService } from '../src/service.js';
import { createStore } from '../src/store/db.js';
import { migrate } from '../src/store/migrate.js';
import { seedShop, type SyntheticShop } from '../src/ingest/synthetic.js';
import { mulberry32 } from '../src/model/rng.js';
import { benchLogger, benchServer, graphqlClient, round, withFreshDatabase } from './support.js';

const log = benchLogger('online');
const options = new Command()
  .option('--users <n>', 'shoppers in the synthetic shop', '3000')
  .option('--products <n>', 'products', '600')
  .option('--ratings <n>', 'ratings the models are trained on', '90000')
  .option('--repetitions <n>', 'A/A experiments', '40')
  .option('--concurrency <n>', 'shoppers browsing at once', '8')
  .parse()
  .opts<{ users: string; products: string; ratings: string; repetitions: string; concurrency: string }>();
const USERS = Number(options.users);
const REPETITIONS = Number(options.repetitions);
const CONCURRENCY = Number(options.concurrency);
const TOKEN = 'bench-admin-token-0123';
const STRONG = { epochs: 4, ensembleSize: 1, seed: 1 };
// Lists by predicted rating alone (no selection model), from a small network trained for one epoch.
const WEAK = { epochs: 1, ensembleSize: 1, embeddingDim: 4, interactionHistory: false, features: false, selectionRank: 0, seed: 2 };
const viewChance = (position: number, pick: number) => 0.6 * 0.85 ** (position - 1) * pick;
const buyChance = (like: number) => 0.5 * like;

type Gql = (query: string, variables?: Record<string, unknown>) => Promise<any>;

interface Shown {
  /** Expected purchases of the list under the taste model, and products shown. */
  expected: number;
  shown: number;
}

interface ShownList extends Shown {
  recommendationId: string;
}

/** pick(u, p) for every pair: p's rank among u's pick weights over the catalog, scaled to [0, 1]. */
function pickRanks(shop: SyntheticShop): Float32Array {
  const products = shop.products.length;
  const ranks = new Float32Array(shop.users.length * products);
  const order = Array.from({ length: products }, (_, p) => p);
  const weights = new Float64Array(products);
  for (let u = 0; u < shop.users.length; u++) {
    for (let p = 0; p < products; p++) weights[p] = shop.taste.logPickWeight(u, p);
    order.sort((a, b) => weights[a] - weights[b]);
    for (let k = 0; k < products; k++) ranks[u * products + order[k]] = k / (products - 1);
  }
  return ranks;
}

/** `visits` visits of every shopper, `CONCURRENCY` at a time, acting as their taste says; the lists they were shown. */
async function browse(gql: Gql, shop: SyntheticShop, picks: Float32Array, visits: number, seed: number): Promise<ShownList[]> {
  const random = mulberry32(seed);
  const productIndex = new Map(shop.products.map((p, k) => [p.externalId, k]));
  const threshold = 4;
  const queue: number[] = [];
  for (let v = 0; v < visits; v++) for (let u = 0; u < shop.users.length; u++) queue.push(u);
  const lists: ShownList[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < queue.length) {
        const u = queue[next++];
        const userId = shop.users[u].externalId;
        const list = (await gql(`query($u: ID!) { recommendations(userId: $u, first: 10) { recommendationId position product { id } } }`, { u: userId }))
          .recommendations as { recommendationId: string; position: number; product: { id: string } }[];
        if (list.length === 0) continue;
        const events: Record<string, unknown>[] = [];
        let expected = 0;
        for (const item of list) {
          const p = productIndex.get(item.product.id)!;
          const like = shop.taste.atLeast(u, p, threshold);
          const view = viewChance(item.position, picks[u * shop.products.length + p]);
          expected += view * buyChance(like);
          if (random() < view) {
            events.push({ userId, productId: item.product.id, type: 'VIEW', recommendationId: item.recommendationId });
            if (random() < buyChance(like))
              events.push({ userId, productId: item.product.id, type: 'PURCHASE', value: 1, recommendationId: item.recommendationId });
          }
        }
        lists.push({ recommendationId: list[0].recommendationId, expected, shown: list.length });
        if (events.length > 0) await gql('mutation($e: [EventInput!]!) { recordEvents(events: $e) }', { e: events });
      }
    }),
  );
  return lists;
}

const server = await benchServer(log);
const result = await withFreshDatabase(server, 'bench_online', async (url) => {
  await migrate(url);
  const store = createStore(url, { max: 12 });
  const modelsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-online-'));
  const service = await startService(
    store,
    { ...loadConfig({ ...process.env, RETRAIN_CRON: 'off', RATE_LIMIT_PER_MINUTE: '0' }), databaseUrl: url, modelsDir },
    log,
    TOKEN,
  );
  try {
    const endpoint = await service.server.listen(0, '127.0.0.1');
    const gql: Gql = graphqlClient(endpoint, TOKEN);

    let shop!: SyntheticShop;
    log.info({ users: USERS, products: Number(options.products), ratings: Number(options.ratings) }, 'seeding the synthetic shop');
    await seedShop(store, { users: USERS, products: Number(options.products), ratings: Number(options.ratings), seed: 7 }, {}, (s) => (shop = s));
    const picks = pickRanks(shop);
    const trained: Record<string, { id: string; ndcg: number }> = {};
    for (const [name, config] of [
      ['weak', WEAK],
      ['strong', STRONG],
    ] as const) {
      log.info({ config }, `training the ${name} run`);
      const { run } = await service.scheduler.requestRetrain({ trigger: 'cli', force: true, config });
      const done = await service.supervisor.execute(run.id);
      if (done?.status !== 'succeeded' && done?.status !== 'rejected') throw new Error(`the ${name} run did not train: ${done?.error}`);
      const metrics = done.metrics as { catalog?: { served?: { ndcg: number }; network: { ndcg: number } } };
      trained[name] = { id: String(run.id), ndcg: metrics.catalog?.served?.ndcg ?? metrics.catalog?.network.ndcg ?? Number.NaN };
    }
    // The strong run serves the shoppers outside the experiments (none: the shares add up to 1).
    await gql(`mutation { activateModel(id: "${trained.strong.id}") { id } }`);
    service.activeModel.invalidate();

    /** Runs one experiment over `visits` visits per shopper; returns its analysis and what the taste model expected. */
    const experiment = async (name: string, variants: { name: string; runId: string | null }[], visits: number, seed: number, promote = false) => {
      const started = (
        await gql(`mutation($i: ExperimentInput!) { startExperiment(input: $i) { id } }`, {
          i: { name, metric: 'CONVERSION', minDetectableEffect: 0.1, variants: variants.map((v) => ({ ...v, share: 1 / variants.length })) },
        })
      ).startExperiment.id as string;
      for (;;) {
        const { status, error } = (await gql(`query($id: ID!) { experiment(id: $id) { status error } }`, { id: started })).experiment;
        if (status === 'RUNNING') break;
        if (status !== 'PREPARING') throw new Error(`experiment ${started} is ${status}: ${error}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      const t = performance.now();
      const lists = await browse(gql, shop, picks, visits, seed);
      const seconds = (performance.now() - t) / 1000;
      // Which variant showed each list, as the service recorded it; what the taste model expects of each variant's lists.
      await service.impressions.flush();
      const { rows } = await store.pool.query<{ id: string; variant: string }>(
        'SELECT recommendation_id AS id, variant FROM impressions WHERE experiment_id = $1',
        [Number(started)],
      );
      const variantOf = new Map(rows.map((row) => [row.id, row.variant]));
      const truth = new Map<string, Shown>();
      for (const list of lists) {
        const variant = variantOf.get(list.recommendationId) ?? 'outside';
        const sum = truth.get(variant) ?? { expected: 0, shown: 0 };
        sum.expected += list.expected;
        sum.shown += list.shown;
        truth.set(variant, sum);
      }
      const analysis = (
        await gql(`query($id: ID!) { experiment(id: $id) { winner variants { name users lists value pValue differenceLow differenceHigh usersNeeded } } }`, {
          id: started,
        })
      ).experiment as { winner: string | null; variants: { name: string; users: number; lists: number; value: number; pValue: number | null }[] };
      await gql(`mutation($id: ID!, $p: Boolean) { stopExperiment(id: $id, promote: $p) { id } }`, { id: started, p: promote });
      const expected = Object.fromEntries([...truth].map(([variant, s]) => [variant, round(s.expected / s.shown, 5)]));
      const preferred = [...truth].filter(([v]) => v !== 'outside').sort((a, b) => b[1].expected / b[1].shown - a[1].expected / a[1].shown)[0]?.[0] ?? null;
      return { id: started, seconds: round(seconds, 1), analysis, expected, preferred };
    };
    log.info('experiment 1: the strong run against the popular list, over a day');
    const vsPopular = await experiment(
      'strong vs popular',
      [
        { name: 'popular', runId: null },
        { name: 'strong', runId: trained.strong.id },
      ],
      2,
      101,
    );
    log.info(vsPopular, 'experiment 1 done');

    log.info('experiment 2: the strong run against the weak one, over a day, stopped with promote');
    const vsWeak = await experiment(
      'strong vs weak',
      [
        { name: 'weak', runId: trained.weak.id },
        { name: 'strong', runId: trained.strong.id },
      ],
      2,
      202,
      true,
    );
    log.info(vsWeak, 'experiment 2 done');

    const aa: { winner: string | null; pValue: number | null }[] = [];
    for (let k = 0; k < REPETITIONS; k++) {
      const outcome = await experiment(
        `a/a ${k + 1}`,
        [
          { name: 'a', runId: trained.strong.id },
          { name: 'b', runId: trained.strong.id },
        ],
        1,
        1000 + k,
      );
      aa.push({ winner: outcome.analysis.winner, pValue: outcome.analysis.variants[1].pValue });
      log.info({ repetition: k + 1, of: REPETITIONS, winner: outcome.analysis.winner, pValue: outcome.analysis.variants[1].pValue }, 'A/A experiment done');
    }
    const right = (e: typeof vsPopular) => e.analysis.winner !== null && e.analysis.winner === e.preferred;
    const summary = (e: typeof vsPopular) => ({
      winner: e.analysis.winner,
      preferredByTaste: e.preferred,
      expectedConversion: e.expected,
      measured: Object.fromEntries(
        e.analysis.variants.map((v) => [v.name, { users: v.users, lists: v.lists, conversion: round(v.value, 5), pValue: v.pValue }]),
      ),
      simulatedSeconds: e.seconds,
    });
    return {
      shop: { users: USERS, products: Number(options.products), ratings: Number(options.ratings) },
      runs: { strong: { ...trained.strong, ndcg: round(trained.strong.ndcg, 4) }, weak: { ...trained.weak, ndcg: round(trained.weak.ndcg, 4) } },
      pickedBetter: right(vsPopular) && right(vsWeak),
      strongVsPopular: summary(vsPopular),
      strongVsWeak: { ...summary(vsWeak), promoted: vsWeak.analysis.winner === 'strong' ? trained.strong.id : null },
      aaRepetitions: REPETITIONS,
      aaNoFalseWinnerRate: round(aa.filter((r) => r.winner === null).length / REPETITIONS, 3),
      aaSmallestPValue: round(Math.min(...aa.map((r) => r.pValue ?? 1)), 4),
    };
  } finally {
    await service.close();
    await store.close();
    fs.rmSync(modelsDir, { recursive: true, force: true });
  }
});
await server.stop();
console.log(JSON.stringify(result));
