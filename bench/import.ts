// `npm run bench:import -- --data ../shared/data/ml-100k [--runs 5]`
// Imports MovieLens 100K (u.item, u.user, u.data) end to end through the real
// importer, each run in a fresh database that it creates and drops, and times a
// raw COPY of the same rating file into a bare table in the same way: the
// machine's limit for getting those rows into PostgreSQL. It also times a COPY of
// the same rows straight into the real ratings table (keys and foreign keys
// included), to show how much of the gap the constraints alone cost.
// Prints ONE JSON line of medians on stdout; progress goes to stderr.
// Database: the server of DATABASE_URL (which must allow CREATE DATABASE), or the embedded PostgreSQL.
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Command, InvalidArgumentError } from 'commander';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { loadConfig } from '../src/config.js';
import { importDataset } from '../src/ingest/load.js';
import { readMovieLens } from '../src/ingest/movielens.js';
import { RowProblems } from '../src/ingest/problems.js';
import type { ImportResult } from '../src/ingest/types.js';
import { createStore } from '../src/store/db.js';
import { migrate } from '../src/store/migrate.js';
import { benchLogger, benchServer, median, round, withFreshDatabase as withFreshDatabaseOn } from './support.js';

const log = benchLogger('import');

const options = new Command()
  .requiredOption('--data <dir>', 'the ml-100k folder (u.item, u.user, u.data)')
  .option(
    '--runs <n>',
    'imports (and raw copies) to time',
    (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a whole number ≥ 1');
      return n;
    },
    5,
  )
  .parse()
  .opts<{ data: string; runs: number }>();

const dataDir = path.resolve(options.data);
for (const file of ['u.item', 'u.user', 'u.data']) {
  if (!fs.existsSync(path.join(dataDir, file))) {
    console.error(`error: ${path.join(dataDir, file)} not found: --data must be the ml-100k folder`);
    process.exit(1);
  }
}

const config = loadConfig();
const server = await benchServer(log);
const withFreshDatabase = <T>(work: (url: string) => Promise<T>) => withFreshDatabaseOn(server, 'bench_import', work);

async function timeImport(): Promise<{ seconds: number; result: ImportResult }> {
  return withFreshDatabase(async (url) => {
    await migrate(url);
    const store = createStore(url, { max: 2 });
    try {
      const started = performance.now();
      const { dataset } = readMovieLens(dataDir, { problems: new RowProblems({ strict: true }) });
      const result = await importDataset(store, dataset, {
        scale: { ratingMin: config.ratingMin, ratingMax: config.ratingMax, ratingStep: config.ratingStep },
      });
      return { seconds: (performance.now() - started) / 1000, result };
    } finally {
      await store.close();
    }
  });
}

/** The same rating file, as is, into a table with no keys: u.data is already COPY text format. */
async function timeRawCopy(): Promise<{ seconds: number; rows: number }> {
  return withFreshDatabase(async (url) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query('CREATE TABLE raw_ratings (user_id int, product_id int, value real, unix_seconds bigint)');
      const started = performance.now();
      const copy = client.query(copyFrom('COPY raw_ratings FROM STDIN'));
      await pipeline(fs.createReadStream(path.join(dataDir, 'u.data')), copy);
      return { seconds: (performance.now() - started) / 1000, rows: copy.rowCount };
    } finally {
      await client.end();
    }
  });
}

/**
 * The same ratings COPYed straight into the real `ratings` table (its primary key,
 * index and foreign keys), ids already resolved: the floor for any importer that
 * keeps the schema's constraints. Preparing the rows is not timed.
 */
async function timeCopyIntoRatings(): Promise<number> {
  return withFreshDatabase(async (url) => {
    await migrate(url);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      // ml-100k ids are 1..N, so internal ids can equal external ones.
      await client.query(`INSERT INTO users (id, external_id) SELECT i, i::text FROM generate_series(1, 943) i`);
      await client.query(`INSERT INTO products (id, external_id, name) SELECT i, i::text, 'p' FROM generate_series(1, 1682) i`);
      const rows =
        fs
          .readFileSync(path.join(dataDir, 'u.data'), 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((line) => line.split('\t').slice(0, 3).join('\t'))
          .join('\n') + '\n';
      const started = performance.now();
      const copy = client.query(copyFrom('COPY ratings (user_id, product_id, value) FROM STDIN'));
      await pipeline(Readable.from([rows]), copy);
      return (performance.now() - started) / 1000;
    } finally {
      await client.end();
    }
  });
}

try {
  const importSeconds: number[] = [];
  const rawCopySeconds: number[] = [];
  const copyIntoRatingsSeconds: number[] = [];
  let last: ImportResult | undefined;
  let rawRows = 0;
  for (let run = 1; run <= options.runs; run++) {
    const imported = await timeImport();
    const raw = await timeRawCopy();
    const constrained = await timeCopyIntoRatings();
    copyIntoRatingsSeconds.push(constrained);
    importSeconds.push(imported.seconds);
    rawCopySeconds.push(raw.seconds);
    last = imported.result;
    rawRows = raw.rows;
    log.info({ run, runs: options.runs, importSeconds: imported.seconds, rawCopySeconds: raw.seconds, copyIntoRatingsSeconds: constrained }, 'run finished');
  }
  const importMedian = median(importSeconds);
  const rawMedian = median(rawCopySeconds);
  console.log(
    JSON.stringify({
      dataset: 'ml-100k',
      runs: options.runs,
      importSeconds: round(importMedian),
      rawCopySeconds: round(rawMedian),
      ratio: round(importMedian / rawMedian, 2),
      copyIntoRatingsSeconds: round(median(copyIntoRatingsSeconds)),
      ratingsPerSecond: Math.round(last!.ratings.inserted / importMedian),
      users: last!.users.inserted,
      products: last!.products.inserted,
      ratings: last!.ratings.inserted,
      rawCopyRows: rawRows,
      skipped: last!.problems.count,
    }),
  );
} finally {
  await server.stop();
}
