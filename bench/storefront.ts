// `npm run bench:storefront [-- --events 20000 --concurrency 8 --products 100000]`
// What a storefront asks of the service, through its HTTP API on a synthetic shop with a trained model:
//  - recordEvents from browsers: batches of 10 views from visitors the shop never created, every call sent
//    twice (a retry with the same eventIds), several at once; events/s of new events, and whether every
//    event was kept exactly once — beside the same batches sent as the service's one SQL statement straight
//    to PostgreSQL (the machine's limit for this write);
//  - a visitor's first three views, then their list: how long until it is personalized (FOLDED_IN);
//  - upsertProducts of 1,000 products a call, beside the same statement straight to PostgreSQL;
//  - import of a catalog file of --products products, beside a raw COPY of the same file into a bare table.
// The service runs in this process (its clients share its event loop: a pessimistic figure). One JSON line
// on stdout. Database: the server of DATABASE_URL (which must allow CREATE DATABASE), or the embedded PostgreSQL.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Command } from 'commander';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { loadConfig } from '../src/config.js';
import { startService } from '../src/service.js';
import { createStore } from '../src/store/db.js';
import { migrate } from '../src/store/migrate.js';
import { RECORD_EVENTS_SQL, UPSERT_PRODUCTS_SQL } from '../src/store/sql.js';
import { seedShop } from '../src/ingest/synthetic.js';
import { importDataset } from '../src/ingest/load.js';
import { readProductsFile } from '../src/ingest/catalog-files.js';
import { RowProblems } from '../src/ingest/problems.js';
import { benchLogger, benchServer, graphqlClient, median, round, withFreshDatabase } from './support.js';

const log = benchLogger('storefront');
const options = new Command()
  .option('--events <n>', 'events recorded through the API (in batches of 10)', '20000')
  .option('--concurrency <n>', 'calls in flight at once', '8')
  .option('--visitors <n>', 'visitors timed from their first view to a personalized list', '50')
  .option('--products <n>', 'products in the imported catalog file', '100000')
  .parse()
  .opts<{ events: string; concurrency: string; visitors: string; products: string }>();
const EVENTS = Number(options.events);
const CONCURRENCY = Number(options.concurrency);
const VISITORS = Number(options.visitors);
const PRODUCTS = Number(options.products);
const TOKEN = 'bench-admin-token-0123';
const BATCH = 10;

/** Runs `calls` (each a function) `concurrency` at a time; resolves when all are done. */
async function inFlight(calls: (() => Promise<void>)[], concurrency: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < calls.length) await calls[next++]();
    }),
  );
}

const server = await benchServer(log);
const result = await withFreshDatabase(server, 'bench_storefront', async (url) => {
  await migrate(url);
  const store = createStore(url, { max: 12 });
  const modelsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-storefront-'));
  const service = await startService(store, { ...loadConfig({ ...process.env, RETRAIN_CRON: 'off', ROLE: 'api' }), databaseUrl: url, modelsDir }, log, TOKEN);
  try {
    const endpoint = await service.server.listen(0, '127.0.0.1');
    const gql = graphqlClient(endpoint, TOKEN);

    log.info('seeding a shop of 2,000 users, 1,000 products and 60,000 ratings, and training a model');
    await seedShop(store, { users: 2000, products: 1000, ratings: 60_000, seed: 5 });
    const { run } = await service.scheduler.requestRetrain({ trigger: 'cli', config: { epochs: 4, ensembleSize: 1 } });
    const trained = await service.supervisor.execute(run.id);
    if (trained?.status !== 'succeeded') throw new Error(`the model did not train: ${trained?.error ?? trained?.reason}`);
    service.recommender.invalidate();
    const { rows: products } = await store.pool.query<{ id: string }>('SELECT external_id AS id FROM products ORDER BY id');
    const productAt = (k: number) => products[(k * 7919) % products.length].id;

    // recordEvents: batches of 10 views, each call sent twice.
    const RECORD = 'mutation($e: [EventInput!]!) { recordEvents(events: $e) }';
    const batches = Array.from({ length: Math.ceil(EVENTS / BATCH) }, (_, b) =>
      Array.from({ length: BATCH }, (_, k) => ({ userId: `visitor-${b % 500}`, productId: productAt(b * BATCH + k), type: 'VIEW', eventId: `api-${b}-${k}` })),
    );
    let counted = 0;
    let started = performance.now();
    await inFlight(
      batches.map((events) => async () => {
        const first = (await gql(RECORD, { e: events })).recordEvents;
        const retried = (await gql(RECORD, { e: events })).recordEvents; // counts nothing
        counted += first + retried;
      }),
      CONCURRENCY,
    );
    const apiSeconds = (performance.now() - started) / 1000;
    const { rows: kept } = await store.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM events WHERE event_id LIKE 'api-%'`);
    log.info({ seconds: round(apiSeconds), counted, kept: kept[0].n }, 'recordEvents through the API');

    // The limit: the same statement, the same batches and retries, straight to PostgreSQL.
    started = performance.now();
    await inFlight(
      batches.map((events) => async () => {
        const values = [
          events.map((e) => e.userId),
          events.map((e) => e.productId),
          events.map(() => 'view'),
          events.map(() => null),
          events.map(() => null),
          events.map((e) => e.eventId.replace('api-', 'sql-')),
        ];
        await store.pool.query(RECORD_EVENTS_SQL, values);
        await store.pool.query(RECORD_EVENTS_SQL, values);
      }),
      CONCURRENCY,
    );
    const sqlSeconds = (performance.now() - started) / 1000;

    // A visitor's first three views, then their list.
    const LIST = 'query($u: ID!) { recommendations(userId: $u, first: 10) { reason } }';
    const toPersonalized: number[] = [];
    let personalized = 0;
    for (let v = 0; v < VISITORS; v++) {
      const visitor = `fresh-visitor-${v}`;
      const views = [0, 1, 2].map((k) => ({ userId: visitor, productId: productAt(v * 31 + k * 101), type: 'VIEW' }));
      const t = performance.now();
      await gql(RECORD, { e: views });
      const list = (await gql(LIST, { u: visitor })).recommendations as { reason: string }[];
      toPersonalized.push(performance.now() - t);
      if (list.length === 10 && list.every((r) => r.reason === 'FOLDED_IN')) personalized++;
    }

    // upsertProducts of 1,000, through the API and as the one statement.
    const UPSERT = 'mutation($p: [UpsertProductInput!]!) { upsertProducts(inputs: $p) }';
    const catalog = (round: number) =>
      Array.from({ length: 1000 }, (_, k) => ({ id: `bulk-${k}`, name: `Bulk ${k} v${round}`, category: `c${k % 20}`, price: k / 10, attributes: { round } }));
    const apiUpserts: number[] = [];
    const sqlUpserts: number[] = [];
    for (let r = 0; r < 5; r++) {
      let t = performance.now();
      await gql(UPSERT, { p: catalog(r) });
      apiUpserts.push(performance.now() - t);
      const rows = catalog(r + 100);
      t = performance.now();
      await store.pool.query(UPSERT_PRODUCTS_SQL, [
        rows.map((p) => p.id),
        rows.map((p) => p.name),
        rows.map((p) => p.category),
        rows.map(() => true),
        rows.map((p) => p.price),
        rows.map(() => true),
        rows.map((p) => JSON.stringify(p.attributes)),
        rows.map(() => null),
        rows.map(() => null),
      ]);
      sqlUpserts.push(performance.now() - t);
    }

    // A catalog file imported, beside a raw COPY of it.
    const file = path.join(modelsDir, 'catalog.csv');
    fs.writeFileSync(
      file,
      [
        'id,name,category,price,available,brand',
        ...Array.from({ length: PRODUCTS }, (_, k) => `sku-${k},Product ${k},cat-${k % 40},${(k % 5000) / 10},${k % 17 ? 'true' : 'false'},brand-${k % 300}`),
      ].join('\n'),
    );
    started = performance.now();
    const imported = await importDataset(store, readProductsFile(file, { problems: new RowProblems() }));
    const importSeconds = (performance.now() - started) / 1000;
    const raw = new pg.Client({ connectionString: url });
    await raw.connect();
    await raw.query('CREATE TABLE raw_catalog (id text, name text, category text, price float8, available boolean, brand text)');
    started = performance.now();
    await pipeline(fs.createReadStream(file), raw.query(copyFrom(`COPY raw_catalog FROM STDIN (FORMAT csv, HEADER true)`)));
    const copySeconds = (performance.now() - started) / 1000;
    await raw.end();

    return {
      recordEvents: {
        events: batches.length * BATCH,
        calls: batches.length * 2,
        concurrency: CONCURRENCY,
        newPerSecond: round((batches.length * BATCH) / apiSeconds, 0),
        sqlNewPerSecond: round((batches.length * BATCH) / sqlSeconds, 0),
        vsSql: round(sqlSeconds / apiSeconds),
        counted,
        kept: kept[0].n,
        keptOnce: counted === batches.length * BATCH && kept[0].n === batches.length * BATCH,
      },
      visitors: {
        visitors: VISITORS,
        personalized,
        medianMsToPersonalizedList: round(median(toPersonalized), 1),
        maxMsToPersonalizedList: round(Math.max(...toPersonalized), 1),
      },
      upsertProducts: { products: 1000, medianMs: round(median(apiUpserts), 1), sqlMedianMs: round(median(sqlUpserts), 1) },
      importProducts: {
        products: imported.products.inserted,
        seconds: round(importSeconds),
        rawCopySeconds: round(copySeconds),
        vsRawCopy: round(copySeconds / importSeconds),
      },
    };
  } finally {
    await service.close();
    await store.close();
    fs.rmSync(modelsDir, { recursive: true, force: true });
  }
});
await server.stop();
console.log(JSON.stringify({ bench: 'storefront', ...result }));
process.exit(0);
