// `npm run bench:scale -- --users N --products M --ratings R [--seed S] [--set key=value ...]`
// The nightly job at a shop's size, through the real code, on a database it creates and drops: a
// synthetic shop seeded by the CLI (in a process of its own) less a tenth of its ratings held out, one
// training run of the default configuration in this process (worker threads, as the service runs it; the
// quality gate on), then a raw binary COPY of the very rows written back (the machine's limit for writing
// them), then the service started on the result: its recommendations timed from the first request, and
// judged on the held-out ratings against the shop's hidden taste model (the oracle) — test RMSE through
// `scores` and the share of the baseline → oracle gap it closes, NDCG@10 of the served lists against the
// most popular products' and the oracle's own lists. One JSON line on stdout.
import { spawn, type ChildProcess } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { Command, InvalidArgumentError } from 'commander';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { loadConfig } from '../src/config.js';
import { TasteModel } from '../src/ingest/taste-model.js';
import { DEFAULT_SCALE } from '../src/store/validation.js';
import { copyColumns } from '../src/store/rating-copy.js';
import { CatalogRankingTally, topK } from '../src/model/metrics.js';
import { makeRng, permutation } from '../src/model/rng.js';
import { createStore } from '../src/store/db.js';
import { migrate } from '../src/store/migrate.js';
import { requestRun } from '../src/training/registry.js';
import { RunSupervisor } from '../src/training/supervisor.js';
import { freePort, hasServerBinaries, startPrivatePostgres } from '../scripts/private-postgres.js';
import { benchLogger, benchServer, median, round } from './support.js';

const log = benchLogger('scale');
const whole = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a whole number ≥ 1');
  return n;
};
const options = new Command()
  .requiredOption('--users <n>', 'shoppers', whole)
  .requiredOption('--products <n>', 'products', whole)
  .requiredOption('--ratings <n>', 'ratings', whole)
  .option('--seed <n>', 'the synthetic shop and the run', whole, 7)
  .option('--set <key=value...>', 'TrainingConfig overrides (JSON values); none = the default configuration', [])
  .option('--batch-runs <n>', '1,000-user recommendationsForUsers calls to time after the first', whole, 10)
  .option('--quality-users <n>', 'held-out users whose lists are judged', whole, 2000)
  .option(
    '--database <where>',
    'private: a PostgreSQL of its own (fsync on); default: DATABASE_URL or the embedded one',
    hasServerBinaries() ? 'private' : 'default',
  )
  .parse()
  .opts<{ users: number; products: number; ratings: number; seed: number; set: string[]; batchRuns: number; qualityUsers: number; database: string }>();
const overrides: Record<string, unknown> = {};
for (const kv of options.set) {
  const [key, ...rest] = kv.split('=');
  overrides[key] = JSON.parse(rest.join('='));
}
const root = path.resolve(import.meta.dirname, '..');
const progress = (message: string) => log.info(message);

/** Peak resident set of this process (Linux), in MB: the trainer's threads live in it. */
const peakRssMb = () => {
  const line = fs
    .readFileSync('/proc/self/status', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmHWM:'));
  return line ? Math.round(Number(line.split(/\s+/)[1]) / 1024) : null;
};

function run(command: string, args: string[], env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.once('exit', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`${args.join(' ')} exited with ${code}`))));
    child.once('error', reject);
  });
}

const privateServer = options.database === 'private' ? await startPrivatePostgres({ durable: true }) : null;
const server = privateServer ? { url: privateServer.url('postgres'), stop: async () => privateServer.destroy() } : await benchServer(log);
const name = `bench_scale_${crypto.randomBytes(5).toString('hex')}`;
const admin = new pg.Client({ connectionString: server.url });
await admin.connect();
await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
const dbUrl = new URL(server.url);
dbUrl.pathname = `/${name}`;
const url = dbUrl.toString();
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-scale-'));
const store = createStore(url);
let service: ChildProcess | null = null;
try {
  await migrate(url);
  progress(`seeding ${options.users} users × ${options.products} products × ${options.ratings} ratings`);
  let t = performance.now();
  // Its own process (and heap): the trainer's memory below is measured in this one.
  const heldOutFile = path.join(scratch, 'held-out.tsv');
  const seeded = JSON.parse(
    await run(
      process.execPath,
      [
        '--max-old-space-size=16384',
        '--import',
        'tsx',
        'src/cli/index.ts',
        'seed',
        '--users',
        String(options.users),
        '--products',
        String(options.products),
        '--ratings',
        String(options.ratings),
        '--seed',
        String(options.seed),
        '--held-out',
        '0.1',
        '--held-out-file',
        heldOutFile,
        '--json',
      ],
      { DATABASE_URL: url },
    ),
  ) as { taste: { oracleRmse: number; baselineRmse: number; gapShare: number; ratings: number } };
  const seedSeconds = (performance.now() - t) / 1000;
  await store.pool.query('VACUUM ANALYZE');

  const modelsDir = path.join(scratch, 'models');
  const config = { ...loadConfig({ ...process.env, RETRAIN_CRON: 'off' }), databaseUrl: url, modelsDir };
  const supervisor = new RunSupervisor(store, config, log);
  const { run: requested } = await requestRun(store.prisma, { trigger: 'cli', force: false, config: { seed: options.seed, ...overrides } });
  const rssBefore = peakRssMb();
  t = performance.now();
  const done = await supervisor.execute(requested.id, {
    onEpoch: (e) =>
      progress(`network ${e.member}/${e.members}, epoch ${e.epoch}/${e.epochs} ${e.seconds.toFixed(1)} s, validation RMSE ${e.valRmse.toFixed(4)}`),
  });
  const jobSeconds = (performance.now() - t) / 1000;
  if (done?.status !== 'succeeded') throw new Error(`the run did not succeed: ${done?.status} ${done?.reason ?? done?.error}`);
  const peakRss = peakRssMb();

  // The machine's limit for the write-back: the same rows, binary COPY into a bare table (from a file, so nothing else is read meanwhile).
  // (A query, not the table: COPY TO refuses a partitioned table.)
  progress('raw COPY of the written rows');
  const dump = path.join(scratch, 'matrix.copy');
  const client = await store.pool.connect();
  await pipeline(client.query(copyTo('COPY (SELECT user_id, product_id, score, rating FROM predictions) TO STDOUT (FORMAT binary)')), createWriteStream(dump));
  const copySeconds: number[] = [];
  for (let k = 0; k < 2; k++) {
    await client.query('DROP TABLE IF EXISTS raw_copy; CREATE TABLE raw_copy (user_id integer, product_id integer, score real, rating real)');
    const c = performance.now();
    await pipeline(createReadStream(dump, { highWaterMark: 1 << 20 }), client.query(copyFrom('COPY raw_copy FROM STDIN (FORMAT binary)')));
    copySeconds.push((performance.now() - c) / 1000);
  }
  await client.query('DROP TABLE raw_copy');
  client.release();
  fs.rmSync(dump);

  // Serving at this size: the service's own `serve` command, timed from its first request.
  progress('serving: recommendations and the 1,000-user batch from the first request after a start');
  const port = await freePort();
  const token = crypto.randomBytes(16).toString('hex');
  await run('npm', ['run', '--silent', 'build'], {});
  service = spawn(process.execPath, ['--max-semi-space-size=16', 'dist/main.js'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      ...process.env,
      DATABASE_URL: url,
      PORT: String(port),
      HOST: '127.0.0.1',
      ADMIN_TOKEN: token,
      MODELS_DIR: path.join(scratch, 'serve-models'),
      DATA_DIR: scratch,
      RETRAIN_CRON: 'off',
      SEED_DEMO: 'false',
      LOG_LEVEL: 'warn',
      RATE_LIMIT_PER_MINUTE: '0',
    },
  });
  const started = performance.now();
  for (;;) {
    if (
      await fetch(`http://127.0.0.1:${port}/readyz`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    if (performance.now() - started > 120_000) throw new Error('the service was not ready within 120 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  const readySeconds = (performance.now() - started) / 1000;
  const gql = async (query: string, variables: Record<string, unknown>) => {
    const s = performance.now();
    const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { errors?: unknown };
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return performance.now() - s;
  };
  const { rows: userRows } = await store.pool.query<{ id: string }>('SELECT external_id AS id FROM users ORDER BY random() LIMIT 5000');
  const ids = userRows.map((r) => r.id);
  const single = 'query($u: ID!) { recommendations(userId: $u, first: 10) { score product { id name } } }';
  const batch = 'query($ids: [ID!]!) { recommendationsForUsers(userIds: $ids, first: 10) { user { id } recommendations { rank score product { id name } } } }';
  const batchTimes: number[] = [];
  for (let k = 0; k <= options.batchRuns; k++) batchTimes.push(await gql(batch, { ids: ids.slice((k * 1000) % 4000, ((k * 1000) % 4000) + 1000) }));
  const [firstBatch, ...restBatches] = batchTimes;
  // 32 connections for 10 s, each request a random user (autocannon, as bench:serve measures).
  const { default: autocannon } = await import('autocannon');
  const load = await autocannon({
    url: `http://127.0.0.1:${port}/graphql`,
    connections: 32,
    duration: 10,
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    requests: [
      { setupRequest: (request) => ({ ...request, body: JSON.stringify({ query: single, variables: { u: ids[Math.floor(Math.random() * ids.length)] } }) }) },
    ],
  });
  if (load.non2xx > 0 || load.errors > 0) throw new Error(`${load.non2xx} non-2xx answers and ${load.errors} errors under load`);

  progress('quality on the held-out ratings, through the API');
  const quality = await heldOutQuality(store, heldOutFile, async (query, variables) => {
    const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: never; errors?: unknown };
    if (!body.data) throw new Error(JSON.stringify(body.errors));
    return body.data;
  });
  const { oracleRmse, baselineRmse } = seeded.taste;

  const phases = done.phases as Record<string, number>;
  const matrix = done.matrix as {
    rows: number;
    cells: number;
    retrieval: { candidates: number; clusters: number; sampleUsers: number; recall: number } | null;
  };
  const history = done.history as { member: number; seconds: number }[];
  const metrics = done.metrics as { network: { rmse: number }; baseline: { rmse: number }; stopped: string[] };
  const rawCopySeconds = median(copySeconds);
  const users = options.users;
  const retrieval = matrix.retrieval;
  // Pairs scored (each by every network): exhaustive (users × products), or the clusters' and the recall
  // sample's users × products + each user × its candidates.
  const scoredPairs = retrieval ? (retrieval.clusters + retrieval.sampleUsers) * options.products + users * retrieval.candidates : matrix.cells;
  const result = {
    shop: { users, products: options.products, ratings: options.ratings },
    backend: done.backend,
    jobSeconds: round(jobSeconds, 1),
    phases,
    networkEpochs: history.length,
    epochsPerNetwork: [...new Set(history.map((e) => e.member))].map((m) => history.filter((e) => e.member === m).length),
    stopped: metrics.stopped,
    medianEpochSeconds: round(median(history.map((e) => e.seconds)), 2),
    validationRmse: round(metrics.network.rmse, 4),
    baselineValidationRmse: round(metrics.baseline.rmse, 4),
    gate: done.reason,
    heldOut: {
      ratings: quality.ratings,
      testRmse: round(quality.testRmse, 4),
      oracleRmse: round(oracleRmse, 4),
      baselineRmse: round(baselineRmse, 4),
      users: quality.users,
      ndcgAt10: { served: round(quality.served, 4), popularity: round(quality.popularity, 4), oracle: round(quality.oracle, 4) },
      servedVsPopularity: round(quality.served / quality.popularity, 3),
      servedVsOracle: round(quality.served / quality.oracle, 3),
      oracleVsPopularity: round(quality.oracle / quality.popularity, 3),
    },
    oracleGapClosed: round((baselineRmse - quality.testRmse) / (baselineRmse - oracleRmse), 3),
    networks: (done.config as { model: { ensembleSize: number } }).model.ensembleSize,
    pairsScoredPerSecond: Math.round(scoredPairs / phases.score),
    retrieval,
    rowsWrittenBack: matrix.rows,
    rowsWrittenPerSecond: Math.round(matrix.rows / phases.writeBack),
    rawCopySeconds: round(rawCopySeconds, 2),
    rawCopyRowsPerSecond: Math.round(matrix.rows / rawCopySeconds),
    writeBackVsRawCopy: round(phases.writeBack / rawCopySeconds, 2),
    peakRssMb: peakRss,
    rssBeforeRunMb: rssBefore,
    serving: {
      readySeconds: round(readySeconds, 1),
      firstBatch1000Ms: round(firstBatch, 1),
      batch1000MedianMs: round(median(restBatches), 1),
      recommendationsPerSecond: Math.round(load.requests.average),
      recommendationsP50Ms: load.latency.p50,
      recommendationsP99Ms: load.latency.p99,
    },
    seedSeconds: round(seedSeconds, 1),
  };
  console.log(JSON.stringify(result));
} finally {
  if (service && service.exitCode === null) {
    const exited = new Promise((resolve) => service!.once('exit', resolve));
    service.kill('SIGTERM');
    await exited;
  }
  await store.close();
  await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
  await admin.end();
  await server.stop();
  fs.rmSync(scratch, { recursive: true, force: true });
}

/**
 * The served model on the held-out ratings: test RMSE through `scores`, and NDCG@10 of `recommendationsForUsers`
 * for up to --quality-users held-out users (ratings ≥ 4 relevant) beside the most-rated products they had not
 * rated and beside the taste model's own list (pick probability × P(rating ≥ 4), rebuilt from the seed).
 */
async function heldOutQuality(store: ReturnType<typeof createStore>, file: string, gql: (query: string, variables: Record<string, unknown>) => Promise<any>) {
  const heldOut = fs
    .readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((line) => line.split('\t'));
  const predicted: number[] = [];
  for (let s = 0; s < heldOut.length; s += 10_000) {
    const pairs = heldOut.slice(s, s + 10_000).map(([userId, productId]) => ({ userId, productId }));
    predicted.push(...((await gql('query($pairs: [PairInput!]!) { scores(pairs: $pairs) }', { pairs })).scores as number[]));
  }
  let squares = 0;
  heldOut.forEach(([, , value], k) => (squares += (predicted[k] - Number(value)) ** 2));
  // The shop's ids are user-000…1 and product-000…1 in the order the taste model numbers them.
  const index = (id: string) => Number(id.slice(id.lastIndexOf('-') + 1)) - 1;
  const client = await store.pool.connect();
  let rated: { columns: readonly [Int32Array, Int32Array]; count: number };
  let users: { id: number; external_id: string }[];
  let products: { id: number; external_id: string }[];
  try {
    rated = await copyColumns(client, 'COPY (SELECT user_id, product_id FROM ratings) TO STDOUT (FORMAT binary)', ['int4', 'int4'] as const);
    users = (await client.query('SELECT id, external_id FROM users')).rows;
    products = (await client.query('SELECT id, external_id FROM products')).rows;
  } finally {
    client.release();
  }
  const userOf = new Map(users.map((u) => [u.id, index(u.external_id)]));
  const productOf = new Map(products.map((p) => [p.id, index(p.external_id)]));
  const numProducts = options.products;
  const counts = new Float32Array(numProducts);
  const ratedBy = new Map<number, number[]>();
  for (let k = 0; k < rated.count; k++) {
    const p = productOf.get(rated.columns[1][k])!;
    const u = userOf.get(rated.columns[0][k])!;
    counts[p]++;
    let list = ratedBy.get(u);
    if (!list) ratedBy.set(u, (list = []));
    list.push(p);
  }
  const relevant = new Map<number, Set<number>>();
  for (const [user, product, value] of heldOut) {
    if (Number(value) < 4) continue;
    const u = index(user);
    if (!relevant.has(u)) relevant.set(u, new Set());
    relevant.get(u)!.add(index(product));
  }
  const all = [...relevant.keys()];
  const chosen = Array.from(permutation(all.length, makeRng(options.seed)).subarray(0, Math.min(options.qualityUsers, all.length)), (j) => all[j]);
  const pad = (n: number, total: number) => String(n + 1).padStart(String(total).length, '0');
  const lists = new Map<number, number[]>();
  for (let s = 0; s < chosen.length; s += 1000) {
    const ids = chosen.slice(s, s + 1000).map((u) => `user-${pad(u, options.users)}`);
    const data = await gql('query($ids: [ID!]!) { recommendationsForUsers(userIds: $ids, first: 10) { user { id } recommendations { product { id } } } }', {
      ids,
    });
    for (const entry of data.recommendationsForUsers as { user: { id: string }; recommendations: { product: { id: string } }[] }[]) {
      lists.set(
        index(entry.user.id),
        entry.recommendations.map((r) => index(r.product.id)),
      );
    }
  }
  const taste = TasteModel.fromSeed({ users: options.users, products: numProducts, categories: 8, seed: options.seed, scale: DEFAULT_SCALE });
  const tallies = {
    served: new CatalogRankingTally(10, numProducts),
    popularity: new CatalogRankingTally(10, numProducts),
    oracle: new CatalogRankingTally(10, numProducts),
  };
  const excluded = new Uint8Array(numProducts);
  const oracle = new Float32Array(numProducts);
  for (const u of chosen) {
    const own = ratedBy.get(u) ?? [];
    for (const p of own) excluded[p] = 1;
    tallies.served.add(lists.get(u) ?? [], relevant.get(u)!);
    tallies.popularity.add(topK(counts, 10, excluded), relevant.get(u)!);
    for (let p = 0; p < numProducts; p++) oracle[p] = taste.oracleScore(u, p, 4);
    tallies.oracle.add(topK(oracle, 10, excluded), relevant.get(u)!);
    for (const p of own) excluded[p] = 0;
  }
  return {
    ratings: heldOut.length,
    testRmse: Math.sqrt(squares / heldOut.length),
    users: chosen.length,
    served: tallies.served.result().ndcg,
    popularity: tallies.popularity.result().ndcg,
    oracle: tallies.oracle.result().ndcg,
  };
}
