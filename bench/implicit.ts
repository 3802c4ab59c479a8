// `npm run bench:implicit -- --data ../shared/data/ml-100k`
// MovieLens 100K as a shop's purchase history: ratings ≥ 4 become purchases, the rest views, each at its
// rating's time. Each user's latest 20 % of purchases are held out, with everything they did from the
// first of them on (a strict time split). The rest is imported as events (no ratings), the nightly run
// trains on it, the service is started on the result and every user's recommendations are asked
// through its GraphQL API; their top 10 are scored against the held-out purchases, beside the best
// sellers of the training events: less the user's own purchases (as the API leaves them out of a list for a
// user it does not know), and less everything the user did (as a list that leaves viewed products out).
// And "customers who bought this also bought": productsBoughtTogether of each user's last training purchase
// (less what they bought), against their next purchase, beside the best sellers. One JSON line on stdout.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { pino } from 'pino';
import { loadConfig } from '../src/config.js';
import { importDataset } from '../src/ingest/load.js';
import { readMovieLens } from '../src/ingest/movielens.js';
import { RowProblems } from '../src/ingest/problems.js';
import type { EventRow } from '../src/ingest/types.js';
import { createStore } from '../src/store/db.js';
import { migrate } from '../src/store/migrate.js';
import { requestRun } from '../src/training/registry.js';
import { RunSupervisor } from '../src/training/supervisor.js';
import { startService } from '../src/service.js';
import { CatalogRankingTally, topK } from '../src/model/metrics.js';
import { benchLogger, benchServer, median, round, withFreshDatabase } from './support.js';

const log = benchLogger('implicit');
const options = new Command()
  .option('--data <dir>', 'the ml-100k folder', '../shared/data/ml-100k')
  .option('--held-out <fraction>', "share of each user's latest purchases held out", '0.2')
  .option('--set <key=value...>', 'TrainingConfig overrides (JSON values)', [])
  .parse()
  .opts<{ data: string; heldOut: string; set: string[] }>();

const dataDir = path.resolve(options.data);
const ratingsFile = path.join(dataDir, 'u.data');
if (!fs.existsSync(ratingsFile)) {
  console.error(`error: ${ratingsFile} not found: --data must be the ml-100k folder`);
  process.exit(1);
}
const overrides: Record<string, unknown> = {};
for (const kv of options.set) {
  const [key, ...rest] = kv.split('=');
  overrides[key] = JSON.parse(rest.join('='));
}
const K = 10;
const fraction = Number(options.heldOut);

// u.data: user, item, rating, unix time (tab separated).
const byUser = new Map<string, { product: string; purchase: boolean; time: number }[]>();
for (const line of fs.readFileSync(ratingsFile, 'utf8').trim().split('\n')) {
  const [user, product, rating, time] = line.split('\t');
  let list = byUser.get(user);
  if (!list) byUser.set(user, (list = []));
  list.push({ product, purchase: Number(rating) >= 4, time: Number(time) });
}
const events: EventRow[] = [];
const heldOut = new Map<string, Set<string>>();
for (const [user, list] of byUser) {
  list.sort((a, b) => a.time - b.time || Number(a.product) - Number(b.product));
  const purchases = list.filter((e) => e.purchase);
  const held = purchases.length >= 2 ? Math.max(1, Math.round(purchases.length * fraction)) : 0;
  const cut = held > 0 ? purchases[purchases.length - held] : null;
  const cutIndex = cut ? list.indexOf(cut) : list.length;
  heldOut.set(
    user,
    new Set(
      list
        .slice(cutIndex)
        .filter((e) => e.purchase)
        .map((e) => e.product),
    ),
  );
  for (const e of list.slice(0, cutIndex))
    events.push({ userId: user, productId: e.product, type: e.purchase ? 'purchase' : 'view', timestamp: new Date(e.time * 1000) });
}

const server = await benchServer(log);
const modelsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-implicit-'));
try {
  const result = await withFreshDatabase(server, 'bench_implicit', async (url) => {
    await migrate(url);
    const store = createStore(url);
    try {
      const { dataset } = readMovieLens(dataDir, { problems: new RowProblems() });
      let t = performance.now();
      const imported = await importDataset(store, {
        users: dataset.users,
        products: dataset.products,
        events: { name: 'events', rows: events, totalRows: events.length },
      });
      log.info({ seconds: round((performance.now() - t) / 1000), events: imported.events }, 'imported the training events');

      const config = { ...loadConfig({ ...process.env, RETRAIN_CRON: 'off', RATE_LIMIT_PER_MINUTE: '0' }), databaseUrl: url, modelsDir };
      const supervisor = new RunSupervisor(store, config, log);
      const { run } = await requestRun(store.prisma, { trigger: 'cli', force: true, config: overrides });
      t = performance.now();
      const done = await supervisor.execute(run.id, {
        onEpoch: (e) =>
          log.info(
            `${e.members > 1 ? `network ${e.member}/${e.members}, ` : ''}epoch ${e.epoch}/${e.epochs} ${e.seconds.toFixed(2)} s, validation RMSE ${e.valRmse.toFixed(4)}`,
          ),
      });
      const jobSeconds = (performance.now() - t) / 1000;
      if (done?.status !== 'succeeded') throw new Error(`the run did not succeed: ${JSON.stringify(done)}`);

      // Through the API, as the shop's backend asks: every user's top 10, 500 users a request.
      const service = await startService(store, { ...config, role: 'api' }, pino({ level: 'warn' }, pino.destination(2)), 'bench-implicit-admin-token');
      const api = await service.server.listen(0, '127.0.0.1');
      const users = [...heldOut.keys()].filter((u) => heldOut.get(u)!.size > 0);
      const lists = new Map<string, { ids: string[]; reasons: string[] }>();
      const boughtTogether = new Map<string, { anchor: string; ids: string[]; together: number }>();
      try {
        for (let s = 0; s < users.length; s += 500) {
          const response = await fetch(api, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: 'Bearer bench-implicit-admin-token' },
            body: JSON.stringify({
              query: 'query($ids: [ID!]!) { recommendationsForUsers(userIds: $ids, first: 10) { user { id } recommendations { product { id } reason } } }',
              variables: { ids: users.slice(s, s + 500) },
            }),
          });
          const body = (await response.json()) as {
            data?: { recommendationsForUsers: { user: { id: string }; recommendations: { product: { id: string }; reason: string }[] }[] };
            errors?: unknown;
          };
          if (!body.data) throw new Error(`recommendationsForUsers failed: ${JSON.stringify(body.errors)}`);
          for (const entry of body.data.recommendationsForUsers) {
            lists.set(entry.user.id, { ids: entry.recommendations.map((r) => r.product.id), reasons: entry.recommendations.map((r) => r.reason) });
          }
        }
        // Customers who bought this also bought: each user's last training purchase, its list less what the user
        // bought (a shop would pass on what it knows its customer has), against the user's next purchase.
        for (const user of users) {
          const bought = events.filter((e) => e.userId === user && e.type === 'purchase').map((e) => e.productId);
          if (bought.length === 0) continue;
          const anchor = bought[bought.length - 1];
          const owned = new Set(bought);
          const response = await fetch(api, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({
              query: 'query($p: ID!, $n: Int) { productsBoughtTogether(productId: $p, first: $n) { product { id } reason } }',
              variables: { p: anchor, n: Math.min(100, 10 + owned.size) },
            }),
          });
          const body = (await response.json()) as { data?: { productsBoughtTogether: { product: { id: string }; reason: string }[] }; errors?: unknown };
          if (!body.data) throw new Error(`productsBoughtTogether failed: ${JSON.stringify(body.errors)}`);
          const list = body.data.productsBoughtTogether.filter((r) => !owned.has(r.product.id)).slice(0, K);
          boughtTogether.set(user, { anchor, ids: list.map((r) => r.product.id), together: list.filter((r) => r.reason === 'BOUGHT_TOGETHER').length });
        }
      } finally {
        await service.close();
      }

      // Products by number: the API's product ids are MovieLens item ids 1..1682.
      const catalog = 1682;
      const purchasesIn = new Float32Array(catalog + 1);
      const boughtBy = new Map<string, number[]>();
      for (const e of events) {
        if (e.type !== 'purchase') continue;
        purchasesIn[Number(e.productId)]++;
        boughtBy.set(e.userId, [...(boughtBy.get(e.userId) ?? []), Number(e.productId)]);
      }
      purchasesIn[0] = -1;
      const viewedBy = new Map<string, number[]>();
      for (const e of events) if (e.type === 'view') viewedBy.set(e.userId, [...(viewedBy.get(e.userId) ?? []), Number(e.productId)]);
      const network = new CatalogRankingTally(K, catalog + 1);
      const popularity = new CatalogRankingTally(K, catalog + 1);
      const popularityUnseen = new CatalogRankingTally(K, catalog + 1);
      let personalized = 0;
      for (const user of users) {
        const relevant = new Set([...heldOut.get(user)!].map(Number));
        const list = lists.get(user)!;
        personalized += list.reasons.filter((r) => r === 'PERSONALIZED').length;
        network.add(list.ids.map(Number), relevant);
        // The best sellers less what the user bought (as the API serves a user it does not know), and less
        // everything the user did (a list that leaves viewed products out, as the served lists may).
        const excluded = new Uint8Array(catalog + 1);
        excluded[0] = 1;
        for (const p of boughtBy.get(user) ?? []) excluded[p] = 1;
        popularity.add(topK(purchasesIn, K, excluded), relevant);
        for (const p of viewedBy.get(user) ?? []) excluded[p] = 1;
        popularityUnseen.add(topK(purchasesIn, K, excluded), relevant);
      }
      // The next purchase in the bought-together list of the last one, and in the best sellers less what the user bought.
      let togetherHits = 0;
      let popularHits = 0;
      let togetherSlots = 0;
      for (const [user, { ids, together }] of boughtTogether) {
        const next = [...heldOut.get(user)!][0];
        togetherHits += Number(ids.includes(next));
        togetherSlots += together;
        const excluded = new Uint8Array(catalog + 1);
        excluded[0] = 1;
        for (const p of boughtBy.get(user) ?? []) excluded[p] = 1;
        popularHits += Number(topK(purchasesIn, K, excluded).includes(Number(next)));
      }
      const quality = (tally: CatalogRankingTally) => {
        const r = tally.result();
        // The tallies count a slot 0 that no product has: coverage over the 1,682 products.
        return {
          ndcgAt10: round(r.ndcg, 4),
          precisionAt10: round(r.precision, 4),
          recallAt10: round(r.recall, 4),
          f1At10: round(r.f1, 4),
          hitRateAt10: round(r.hitRate, 4),
          coverage: round((r.coverage * (catalog + 1)) / catalog, 4),
        };
      };
      const net = quality(network);
      const pop = quality(popularity);
      const popUnseen = quality(popularityUnseen);
      const recorded = (done.metrics as { catalog: unknown }).catalog;
      return {
        users: users.length,
        trainingEvents: events.length,
        heldOutPurchases: [...heldOut.values()].reduce((n, s) => n + s.size, 0),
        personalizedShare: round(personalized / (users.length * K), 4),
        recommendations: net,
        popularity: pop,
        ndcgVsPopularity: round(net.ndcgAt10 / pop.ndcgAt10, 3),
        popularityLessViewed: popUnseen,
        ndcgVsPopularityLessViewed: round(net.ndcgAt10 / popUnseen.ndcgAt10, 3),
        boughtTogether: {
          users: boughtTogether.size,
          hitRateAt10: round(togetherHits / boughtTogether.size, 4),
          popularityHitRateAt10: round(popularHits / boughtTogether.size, 4),
          vsPopularity: round(togetherHits / Math.max(1, popularHits), 3),
          boughtTogetherShare: round(togetherSlots / (boughtTogether.size * K), 4),
        },
        // The run's own full-catalog evaluation on its internal time split (each user's latest 5 %).
        runCatalogMetrics: recorded,
        backend: done.backend,
        epochs: (done.history as unknown[]).length,
        medianEpochSeconds: round(median((done.history as { seconds: number }[]).map((e) => e.seconds))),
        phases: done.phases,
        jobSeconds: round(jobSeconds),
      };
    } finally {
      await store.close();
    }
  });
  console.log(JSON.stringify(result));
} finally {
  fs.rmSync(modelsDir, { recursive: true, force: true });
  await server.stop();
}
