// `npm run bench:serve [-- --data ../shared/data/ml-100k --seconds 10 --connections 32]`
// Serving under load, over loopback, on MovieLens 100K: imports it into a fresh
// database (created and dropped here), trains a model (3 epochs), starts the
// service as `npm start` runs it (the compiled dist/ by the `serve` script, in a
// process of its own: npm run bench:serve builds it first), and measures
//  - recommendations(userId, first: 10) for random users at N connections
//    (autocannon, in a child process so it does not share the server's event loop),
//  - the raw SQL that resolver runs, at the same concurrency, straight over a pg
//    pool of the service's size (the limit of this machine for that query, one
//    statement per request; the service lets concurrent requests share one),
//  - recommendationsForUsers for 1,000 users × 10 (median of sequential calls
//    from the load process, to the answer's last byte),
//  - an A/B test of two models (half the users each, each run's model on its matrix) against one model, in
//    alternating periods (three of each; medians),
//  - the same recommendations load while a training run is in progress,
//  - 20,000 distinct query texts (literals inlined, as some clients write them):
//    the heap after a full collection before and after (query-texts.ts).
// Requests carry a frontend API key, and the rate limit is on (set high enough
// not to refuse the load): what a shop's frontend pays for both.
// Progress goes to stderr; ONE JSON line of results to stdout.
// Database: the server of DATABASE_URL (which must allow CREATE DATABASE), or the embedded PostgreSQL.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fork, spawn } from 'node:child_process';
import net from 'node:net';
import { Command, InvalidArgumentError } from 'commander';
import pg from 'pg';
import { pino } from 'pino';
import { rankRow } from '../src/model/rank-blend.js';
import type { QueryTextsRequest, QueryTextsResult } from './query-texts.js';
import { hasServerBinaries, startPrivatePostgres, type PrivatePostgres } from '../scripts/private-postgres.js';

// With --rules (BENCH_SERVE_RULES=1, inherited by the load process): every list asked with rules.
const rulesArg = () => (process.env.BENCH_SERVE_RULES === '1' ? ', rules: { excludeCategories: ["Horror"], maxPerCategory: 4 }' : '');
const QUERY = `query($u: ID!) { recommendations(userId: $u, first: 10${rulesArg()}) { rank score reason product { id name category } } }`;

interface LoadRequest {
  url: string;
  authorization: string;
  userIds: string[];
  seconds: number;
  connections: number;
}
/** Sequential batch calls, timed in the load process: request sent → last byte of the answer. */
interface BatchRequest {
  kind: 'batch';
  url: string;
  authorization: string;
  query: string;
  userIds: string[];
  runs: number;
}
interface BatchResult {
  times: number[];
}
/** Requests in a loop for a while, each recorded (for an outage: when it failed, and how). */
interface TimelineRequest {
  kind: 'timeline';
  url: string;
  authorization: string;
  userIds: string[];
  seconds: number;
  connections: number;
}
interface TimelineResult {
  requests: { start: number; end: number; status: number; code?: string }[];
}
interface LoadResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  errors: number;
  non2xx: number;
  /** The load generator's own CPU time over the period, in microseconds. */
  cpuMicros: number;
}

// The load generator: this same file, forked, so autocannon has its own process.
if (process.env.BENCH_SERVE_ROLE === 'texts') {
  await import('./query-texts.js');
} else if (process.env.BENCH_SERVE_ROLE === 'load') {
  const { default: autocannon } = await import('autocannon');
  process.send!('ready'); // loaded: the parent starts its CPU accounting now
  process.once('message', async (message: LoadRequest | BatchRequest | TimelineRequest) => {
    if ('kind' in message && message.kind === 'timeline') {
      const requests: TimelineResult['requests'] = [];
      const deadline = Date.now() + message.seconds * 1000;
      const loop = async () => {
        while (Date.now() < deadline) {
          const start = Date.now();
          try {
            const response = await fetch(message.url, {
              method: 'POST',
              headers: { 'content-type': 'application/json', authorization: message.authorization },
              body: JSON.stringify({ query: QUERY, variables: { u: message.userIds[Math.floor(Math.random() * message.userIds.length)] } }),
              signal: AbortSignal.timeout(10_000),
            });
            const body = (await response.json()) as { errors?: { extensions?: { code?: string } }[] };
            requests.push({ start, end: Date.now(), status: response.status, code: body.errors?.[0]?.extensions?.code });
          } catch (error) {
            requests.push({ start, end: Date.now(), status: 0, code: (error as Error).name });
          }
        }
      };
      await Promise.all(Array.from({ length: message.connections }, loop));
      process.send!({ requests } satisfies TimelineResult, () => process.exit(0));
      return;
    }
    if ('kind' in message) {
      const times: number[] = [];
      for (let k = 0; k < message.runs + 2; k++) {
        const started = performance.now();
        const response = await fetch(message.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: message.authorization },
          body: JSON.stringify({ query: message.query, variables: { ids: message.userIds } }),
        });
        const body = await response.text();
        const ms = performance.now() - started;
        // Checked after the clock stops: parsing the answer is the client's work, not the service's.
        const answered = (JSON.parse(body) as { data?: { recommendationsForUsers?: unknown[] } }).data?.recommendationsForUsers?.length;
        if (answered !== message.userIds.length) throw new Error(`batch answered ${answered} users of ${message.userIds.length}: ${body.slice(0, 300)}`);
        if (k >= 2) times.push(ms); // the first two warm the statement and the JIT
      }
      process.send!({ times } satisfies BatchResult, () => process.exit(0));
      return;
    }
    const { url, userIds, seconds, connections, authorization } = message;
    const cpuAtStart = process.cpuUsage();
    const result = await autocannon({
      url,
      connections,
      duration: seconds,
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization },
      requests: [
        {
          setupRequest: (request) => ({
            ...request,
            body: JSON.stringify({ query: QUERY, variables: { u: userIds[Math.floor(Math.random() * userIds.length)] } }),
          }),
        },
      ],
    });
    const out: LoadResult = {
      requestsPerSecond: Math.round(result.requests.average),
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
      requests: result.requests.total,
      errors: result.errors + result.timeouts,
      non2xx: result.non2xx,
      cpuMicros: ((cpu) => cpu.user + cpu.system)(process.cpuUsage(cpuAtStart)),
    };
    process.send!(out, () => process.exit(0));
  });
} else {
  await main();
}

/** SIGTERM (a training run may be in progress in it), then SIGKILL if it takes long. */
async function stopService(service: ReturnType<typeof spawn>): Promise<void> {
  if (service.exitCode !== null || service.signalCode !== null) return;
  const exited = new Promise((resolve) => service.once('exit', resolve));
  service.kill('SIGTERM');
  const timer = setTimeout(() => service.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

async function main(): Promise<void> {
  // Other work on the machine skews every figure: record the 1-minute load before this bench adds its own.
  const loadAtStart = os.loadavg()[0];
  // As the service image runs (Dockerfile); the service's process inherits it. Outside production
  // graphql-js double-checks every type test, 8-9% of the server's CPU here.
  process.env.NODE_ENV ??= 'production';
  const { loadConfig } = await import('../src/config.js');
  const { importDataset } = await import('../src/ingest/load.js');
  const { readMovieLens } = await import('../src/ingest/movielens.js');
  const { RowProblems } = await import('../src/ingest/problems.js');
  const { connectDatabase } = await import('../src/store/connect.js');
  const { createStore } = await import('../src/store/db.js');
  const { migrate } = await import('../src/store/migrate.js');
  const { requestRun } = await import('../src/training/registry.js');
  const { RunSupervisor } = await import('../src/training/supervisor.js');
  const { ActiveModel } = await import('../src/serving/active-model.js');
  const { modelArtifacts } = await import('../src/store/blob/index.js');
  const { personalizedSql } = await import('../src/store/sql.js');
  const { cpuSnapshot, cpuPerRequest } = await import('./cpu.js');

  const log = pino({ level: process.env.LOG_LEVEL || 'warn', base: { bench: 'serve' } }, pino.destination({ dest: 2, sync: true }));
  const progress = (message: string) => process.stderr.write(`bench:serve: ${message}\n`);
  const positive = (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a whole number ≥ 1');
    return n;
  };
  const options = new Command()
    .option('--data <dir>', 'the ml-100k folder (u.item, u.user, u.data)', '../shared/data/ml-100k')
    .option('--seconds <n>', 'length of each load period', positive, 10)
    .option('--connections <n>', 'concurrent connections (and raw SQL loops)', positive, 32)
    .option('--batch-runs <n>', 'recommendationsForUsers calls to time', positive, 15)
    .option('--texts <n>', 'distinct query texts to send (0 skips that part)', (v) => (v === '0' ? 0 : positive(v)), 20_000)
    .option('--rate-limit <n>', 'RATE_LIMIT_PER_MINUTE of the service: on, and high enough not to refuse the load', positive, 100_000_000)
    .option(
      '--database <where>',
      'private: a PostgreSQL of its own (the system binaries), with a replica and an outage; default: DATABASE_URL or the embedded one',
      hasServerBinaries() ? 'private' : 'default',
    )
    .option('--pool <n>', "the service's pg pool size (default: DATABASE_POOL_SIZE, as npm start)", positive)
    .option('--explain', "print the raw SQL's plan (EXPLAIN ANALYZE) to stderr")
    .option('--rules', 'every list asked with rules (a category left out, at most 4 of one)')
    .option('--promotions', '20 products promoted while the load runs')
    .parse()
    .opts<{
      data: string;
      seconds: number;
      connections: number;
      batchRuns: number;
      texts: number;
      rateLimit: number;
      database: string;
      pool?: number;
      explain?: boolean;
      rules?: boolean;
      promotions?: boolean;
    }>();

  if (options.rules) process.env.BENCH_SERVE_RULES = '1';
  const dataDir = path.resolve(options.data);
  for (const file of ['u.item', 'u.user', 'u.data']) {
    if (!fs.existsSync(path.join(dataDir, file))) {
      console.error(`error: ${path.join(dataDir, file)} not found: --data must be the ml-100k folder`);
      process.exit(1);
    }
  }

  const config = loadConfig({ ...process.env, RETRAIN_CRON: 'off' });
  const modelsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-serve-models-'));
  // A private PostgreSQL (with fsync, as a real one) can also be given a streaming replica and be stopped.
  const privateServer = options.database === 'private' ? await startPrivatePostgres({ durable: true }) : null;
  const server = privateServer ? { url: privateServer.url('postgres'), stop: async () => privateServer.destroy() } : await connectDatabase(config, log);
  let replicaServer: PrivatePostgres | null = null;
  const name = `bench_serve_${crypto.randomBytes(5).toString('hex')}`;
  const onServer = async (sql: string) => {
    const admin = new pg.Client({ connectionString: server.url });
    admin.on('error', () => {}); // the outage below cuts every connection
    await admin.connect();
    try {
      await admin.query(sql);
    } finally {
      await admin.end().catch(() => {});
    }
  };
  await onServer(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  const dbUrl = new URL(server.url);
  dbUrl.pathname = `/${name}`;
  const url = dbUrl.toString();
  const token = crypto.randomBytes(16).toString('hex');

  let service: ReturnType<typeof spawn> | undefined;
  const instances: ReturnType<typeof spawn>[] = [];
  const poolSize = options.pool ?? config.databasePoolSize;
  const store = createStore(url, { max: poolSize });
  try {
    await migrate(url);
    progress('importing MovieLens 100K');
    const { dataset } = readMovieLens(dataDir, { problems: new RowProblems({ strict: true }) });
    const imported = await importDataset(store, dataset, {
      scale: { ratingMin: config.ratingMin, ratingMax: config.ratingMax, ratingStep: config.ratingStep },
    });

    // The first model, trained here (as `npm run cli -- train --wait` would), so that the service starts with it.
    progress('training a model (3 epochs)');
    const trainStarted = performance.now();
    const supervisor = new RunSupervisor(store, { ...config, databaseUrl: url, modelsDir }, log);
    const { run: firstRun } = await requestRun(store.prisma, { trigger: 'cli', force: true, config: { epochs: 3, seed: 1 } });
    const trained = await supervisor.execute(firstRun.id);
    if (trained?.status !== 'succeeded') throw new Error(`training ended ${trained?.status}: ${trained?.error}`);
    const trainSeconds = (performance.now() - trainStarted) / 1000;
    // The trainer vacuums the new matrix just after the swap, in the background; a second VACUUM
    // waits for that one, so that it does not run during the measurements below.
    await store.pool.query('VACUUM predictions');

    // The service: exactly the command of the `serve` script, in a process of its own.
    const [command, ...serveArgs] = (
      JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, '../package.json'), 'utf8')) as { scripts: Record<string, string> }
    ).scripts.serve.split(' ');
    if (command !== 'node') throw new Error(`the serve script should start with node: ${command}`);
    const startInstance = async (env: Record<string, string> = {}) => {
      const port = await new Promise<number>((resolve) => {
        const probe = net.createServer().listen(0, '127.0.0.1', () => {
          const { port } = probe.address() as net.AddressInfo;
          probe.close(() => resolve(port));
        });
      });
      const child = spawn(process.execPath, serveArgs, {
        cwd: path.resolve(import.meta.dirname, '..'),
        stdio: ['ignore', 'inherit', 'inherit'],
        env: {
          ...process.env,
          DATABASE_URL: url,
          DATABASE_POOL_SIZE: String(poolSize),
          PORT: String(port),
          HOST: '127.0.0.1',
          ADMIN_TOKEN: token,
          MODELS_DIR: path.join(modelsDir, `instance-${port}`),
          DATA_DIR: path.join(modelsDir, 'data'),
          RETRAIN_CRON: 'off',
          SEED_DEMO: 'false',
          RATE_LIMIT_PER_MINUTE: String(options.rateLimit),
          LOG_LEVEL: process.env.LOG_LEVEL || 'warn',
          ...env,
        },
      });
      const exited = new Promise<never>((_, reject) =>
        child.once('exit', (code, signal) => reject(new Error(`a service exited (${code ?? signal}) during the bench`))),
      );
      exited.catch(() => {}); // raced below; an exit at the end is expected
      for (let waited = 0; ; waited += 100) {
        const ready = await fetch(`http://127.0.0.1:${port}/readyz`).then(
          (r) => r.ok,
          () => false,
        );
        if (ready) break;
        if (waited > 60_000) throw new Error('the service did not become ready within 60 s');
        await Promise.race([new Promise((r) => setTimeout(r, 100)), exited]);
      }
      instances.push(child);
      return { child, graphqlUrl: `http://127.0.0.1:${port}/graphql` };
    };
    const main = await startInstance();
    service = main.child;
    const { graphqlUrl } = main;
    const gql = async (query: string, variables: Record<string, unknown> = {}) => {
      const response = await fetch(graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await response.json()) as { data?: any; errors?: { message: string }[] };
      if (body.errors) throw new Error(`GraphQL: ${body.errors.map((e) => e.message).join('; ')}`);
      return body.data;
    };
    const retrain = async (epochs: number) =>
      (await gql('mutation($c: TrainingConfigInput) { retrain(force: true, config: $c) { id } }', { c: { epochs, seed: 1 } })).retrain.id as string;
    const runStatus = async (id: string) => (await gql('query($id: ID!) { modelRun(id: $id) { status error } }', { id })).modelRun;

    // The frontend's key, as a shop's browser sends it with every request.
    const frontendKey = (await gql('mutation { createApiKey(name: "bench frontend", role: FRONTEND) { key } }')).createApiKey.key as string;
    const authorization = `Bearer ${frontendKey}`;

    if (options.promotions) {
      const { rows } = await store.pool.query<{ id: string }>('SELECT external_id AS id FROM products ORDER BY id LIMIT 20');
      await gql('mutation($p: [ID!]!) { setPromotion(input: { productIds: $p, factor: 1.2, endsAt: "2099-01-01T00:00:00Z" }) { id } }', {
        p: rows.map((r) => r.id),
      });
    }
    const { rows: userRows } = await store.pool.query<{ id: string }>('SELECT external_id AS id FROM users ORDER BY id');
    const userIds = userRows.map((r) => r.id);

    // The load process (this file, forked): `onReady` runs once it has loaded, just before it is sent `request`.
    const inLoadProcess = <T>(request: LoadRequest | BatchRequest | TimelineRequest, onReady: () => void = () => {}) =>
      new Promise<T>((resolve, reject) => {
        const child = fork(import.meta.filename, [], {
          execArgv: ['--import', 'tsx'],
          env: { ...process.env, BENCH_SERVE_ROLE: 'load' },
          stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
        });
        child.once('message', () => {
          onReady();
          child.once('message', (result) => resolve(result as T));
          child.send(request);
        });
        child.once('error', reject);
        child.once('exit', (code) => code !== 0 && reject(new Error(`load generator exited with ${code}`)));
      });

    // Load from the child process; the CPU each process spent on it, per request.
    const load = async (seconds: number) => {
      let before: ReturnType<typeof cpuSnapshot> | undefined;
      const { cpuMicros, ...result } = await inLoadProcess<LoadResult>(
        { url: graphqlUrl, authorization, userIds, seconds, connections: options.connections },
        () => (before = cpuSnapshot(service!.pid)),
      );
      const { thisProcessMicros: _bench, serviceMicros, ...cpu } = cpuPerRequest(before!, cpuSnapshot(service!.pid), result.requests, cpuMicros);
      return { ...result, cpuMicrosPerRequest: { server: serviceMicros!, ...cpu } };
    };

    progress('warming up');
    await load(3);
    progress(`recommendations at ${options.connections} connections for ${options.seconds} s`);
    const idle = await load(options.seconds);

    // The same statement the resolver sends for one user (its scalar form), first 10, no category, same concurrency.
    progress(`raw SQL at ${options.connections} concurrent loops for ${options.seconds} s`);
    // The model the service serves, loaded here too for the late score and the products it has not seen.
    const activeModel = new ActiveModel(store.prisma, config.training.backend, log, modelArtifacts(store.pool, modelsDir));
    const model = (await activeModel.get())!;
    const productIds = await store.pool.query<{ id: number; externalId: string }>('SELECT id, external_id AS "externalId" FROM products');
    const unseen = productIds.rows.filter((r) => !model.productIndex.has(r.externalId)).map((r) => r.id);
    const watermark = Math.max(...productIds.rows.map((r) => r.id));
    // JIT off, as the service's own pool has it (src/store/db.ts).
    const rawPool = new pg.Pool({ connectionString: url, max: poolSize, options: '-c jit=off' });
    const text = personalizedSql({ category: false, cursor: false, single: true });
    // The values the service binds (src/serving/sources/personalized.ts): the rank score and the rating of a product the model has not seen.
    const lateOf = (u: string) => {
      const rating = Math.fround(model.baseline.predict(model.userIndex.get(u) ?? -1, -1));
      return [rankRow(model.selection?.blend ?? null, null, [rating], model.model.config, new Float32Array(1))[0], rating];
    };
    if (options.explain) {
      // The plan the service's prepared statement settles on (generic), with its timing.
      const client = await rawPool.connect();
      await client.query('SET plan_cache_mode = force_generic_plan');
      await client.query(`PREPARE explained AS ${text}`);
      const u = userIds[0];
      const [lateRank, lateRating] = lateOf(u);
      const plan = await client.query(
        `EXPLAIN (ANALYZE, BUFFERS) EXECUTE explained(${pg.escapeLiteral(u)}, ${lateRank}, ${lateRating}, '{${unseen.join(',')}}', ${watermark}, 10)`,
      );
      progress(`plan:\n${plan.rows.map((r) => r['QUERY PLAN']).join('\n')}`);
      client.release(true);
    }
    const latencies: number[] = [];
    const rawDeadline = performance.now() + options.seconds * 1000;
    // Each loop is one of the load's connections; they share the pool as the service's requests do.
    const loop = async () => {
      while (performance.now() < rawDeadline) {
        const u = userIds[Math.floor(Math.random() * userIds.length)];
        const [lateRank, lateRating] = lateOf(u);
        const started = performance.now();
        await rawPool.query({ name: 'raw-personalized', text, values: [u, lateRank, lateRating, unseen, watermark, 10] });
        latencies.push(performance.now() - started);
      }
    };
    const rawStarted = performance.now();
    const rawCpuBefore = cpuSnapshot();
    await Promise.all(Array.from({ length: options.connections }, loop));
    const rawSeconds = (performance.now() - rawStarted) / 1000;
    const { thisProcessMicros: rawClientMicros, ...rawCpu } = cpuPerRequest(rawCpuBefore, cpuSnapshot(), latencies.length);
    await rawPool.end();
    activeModel.close();
    latencies.sort((a, b) => a - b);
    const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

    progress(`recommendationsForUsers: 1,000 users × 10, ${options.batchRuns} calls`);
    const batchIds = userIds.slice(0, 1000);
    while (batchIds.length < 1000) batchIds.push(userIds[batchIds.length % userIds.length]);
    const batchQuery = `query($ids: [ID!]!) { recommendationsForUsers(userIds: $ids, first: 10${rulesArg()}) { user { id } recommendations { rank score reason product { id name } } } }`;
    // From the load process, like the load above, to the last byte of the ~1 MB answer.
    const batchTimes = (
      await inLoadProcess<BatchResult>({ kind: 'batch', url: graphqlUrl, authorization, query: batchQuery, userIds: batchIds, runs: options.batchRuns })
    ).times;
    batchTimes.sort((a, b) => a - b);

    // An A/B test of two models: half the users ranked from each run's own matrix (src/experiments), beside
    // one model just before and just after it (the same load, the same users).
    progress('an experiment of two models: training a second run (1 epoch)');
    const { run: otherRun } = await requestRun(store.prisma, { trigger: 'cli', force: true, config: { epochs: 1, seed: 2 } });
    const other = await supervisor.execute(otherRun.id);
    if (other?.status !== 'succeeded') throw new Error(`the second run ended ${other?.status}: ${other?.error}`);
    await store.pool.query('VACUUM predictions');
    // Alternating periods, one model then the experiment, three times (the experiment restarts at once: the
    // variant matrix stays a minute after a stop); medians of each, so that the hour's drift hits both alike.
    const startExperiment = async () => {
      const id = (
        await gql('mutation($i: ExperimentInput!) { startExperiment(input: $i) { id } }', {
          i: {
            name: 'bench',
            variants: [
              { name: 'first', runId: String(firstRun.id), share: 0.5 },
              { name: 'second', runId: String(otherRun.id), share: 0.5 },
            ],
          },
        })
      ).startExperiment.id as string;
      for (;;) {
        const { status, error } = (await gql('query($id: ID!) { experiment(id: $id) { status error } }', { id })).experiment;
        if (status === 'RUNNING') return id;
        if (status !== 'PREPARING') throw new Error(`the experiment is ${status}: ${error}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    };
    await load(3);
    type Period = Awaited<ReturnType<typeof load>>;
    const oneModelPeriods: Period[] = [];
    const experimentPeriods: Period[] = [];
    for (let round = 1; round <= 3; round++) {
      progress(`one model (${round} of 3), ${options.connections} connections for ${options.seconds} s`);
      oneModelPeriods.push(await load(options.seconds));
      const experimentId = await startExperiment();
      await new Promise((r) => setTimeout(r, 1500)); // every instance serves it within a second
      await load(2);
      progress(`the experiment (${round} of 3), ${options.connections} connections for ${options.seconds} s`);
      experimentPeriods.push(await load(options.seconds));
      await gql('mutation($id: ID!) { stopExperiment(id: $id) { id } }', { id: experimentId });
      await new Promise((r) => setTimeout(r, 1500));
      await load(2);
    }
    const medianOf = (periods: Period[], pick: (p: Period) => number) => {
      const sorted = periods.map(pick).sort((a, b) => a - b);
      return sorted[Math.floor(sorted.length / 2)];
    };
    const summary = (periods: Period[]) => ({
      requestsPerSecond: periods.map((p) => p.requestsPerSecond),
      p99Ms: periods.map((p) => p.p99Ms),
      medianRequestsPerSecond: medianOf(periods, (p) => p.requestsPerSecond),
      medianP99Ms: medianOf(periods, (p) => p.p99Ms),
      // Where a request's CPU went (µs): the service's process and PostgreSQL's.
      medianServerMicros: medianOf(periods, (p) => p.cpuMicrosPerRequest.server),
      medianPostgresMicros: medianOf(periods, (p) => p.cpuMicrosPerRequest.postgresMicros),
    });
    const [one, withIt] = [summary(oneModelPeriods), summary(experimentPeriods)];
    const experiment = {
      variants: 2,
      oneModel: one,
      withExperiment: { ...withIt, errors: experimentPeriods.reduce((n, p) => n + p.errors + p.non2xx, 0) },
      throughputVsOneModel: Number((withIt.medianRequestsPerSecond / one.medianRequestsPerSecond).toFixed(3)),
      p99DifferenceMs: Number((withIt.medianP99Ms - one.medianP99Ms).toFixed(2)),
    };

    // Two instances on the same database, half the connections each (two load processes at once).
    progress(`two instances, ${options.connections / 2} connections each, for ${options.seconds} s`);
    const second = await startInstance({ ROLE: 'api' });
    const half = Math.max(1, Math.floor(options.connections / 2));
    const pair = await Promise.all(
      [graphqlUrl, second.graphqlUrl].map((target) =>
        inLoadProcess<LoadResult>({ url: target, authorization, userIds, seconds: options.seconds, connections: half }),
      ),
    );
    await stopService(second.child);
    const twoInstances = {
      connections: half * 2,
      requestsPerSecond: pair[0].requestsPerSecond + pair[1].requestsPerSecond,
      p50Ms: Math.max(pair[0].p50Ms, pair[1].p50Ms),
      p99Ms: Math.max(pair[0].p99Ms, pair[1].p99Ms),
      errors: pair[0].errors + pair[1].errors + pair[0].non2xx + pair[1].non2xx,
      perInstance: pair.map(({ requestsPerSecond, p50Ms, p99Ms }) => ({ requestsPerSecond, p50Ms, p99Ms })),
      vsOneInstance: Number(((pair[0].requestsPerSecond + pair[1].requestsPerSecond) / idle.requestsPerSecond).toFixed(2)),
    };

    // Reads on a streaming replica of the same server (private database only): an API instance with DATABASE_READ_URLS.
    let onReplica: Record<string, unknown> | null = null;
    if (privateServer) {
      progress(`reads on a streaming replica, ${options.connections} connections for ${options.seconds} s`);
      replicaServer = await privateServer.replica();
      const replicaDb = replicaServer.url(name);
      const replicaTransactions = async () => {
        const client = new pg.Client({ connectionString: replicaDb });
        await client.connect();
        const { rows } = await client.query<{ n: string }>('SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = current_database()');
        await client.end();
        return Number(rows[0].n);
      };
      const reader = await startInstance({ ROLE: 'api', DATABASE_READ_URLS: replicaDb });
      await inLoadProcess<LoadResult>({ url: reader.graphqlUrl, authorization, userIds, seconds: 2, connections: options.connections }); // warm
      const before = await replicaTransactions();
      const result = await inLoadProcess<LoadResult>({
        url: reader.graphqlUrl,
        authorization,
        userIds,
        seconds: options.seconds,
        connections: options.connections,
      });
      // A standby's backends report their statistics at most once a second.
      await new Promise((r) => setTimeout(r, 1500));
      const onIt = (await replicaTransactions()) - before;
      await stopService(reader.child);
      const { cpuMicros: _, ...rest } = result;
      onReplica = {
        connections: options.connections,
        ...rest,
        replicaTransactions: onIt,
        replicaTransactionsPerRequest: Number((onIt / result.requests).toFixed(2)),
      };
    }

    progress('the same recommendations load while a training run is in progress');
    const secondRun = await retrain(200);
    for (;;) {
      const run = await runStatus(secondRun);
      if (run.status === 'RUNNING') break;
      if (run.status !== 'QUEUED') throw new Error(`the second run ended before the load: ${run.status}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    // Let it get past loading the data and into its epochs.
    await new Promise((r) => setTimeout(r, 2000));
    const during = await load(options.seconds);
    const stillRunning = (await runStatus(secondRun)).status === 'RUNNING';

    // PostgreSQL stopped for a few seconds under load (private database only), training still going on.
    let outage: Record<string, unknown> | null = null;
    if (privateServer) {
      const downSeconds = 5;
      progress(`an outage: PostgreSQL stopped for ${downSeconds} s under load`);
      const stopAfterMs = 3_000;
      let stoppedAt = 0;
      let startedAt = 0;
      const timeline = inLoadProcess<TimelineResult>({ kind: 'timeline', url: graphqlUrl, authorization, userIds, seconds: 16, connections: 8 }, () => {
        setTimeout(() => {
          stoppedAt = Date.now();
          privateServer.stop();
          setTimeout(() => {
            privateServer.start();
            startedAt = Date.now();
          }, downSeconds * 1000);
        }, stopAfterMs);
      });
      const { requests } = await timeline;
      const failed = requests.filter((r) => r.status !== 200);
      const firstOk = requests.filter((r) => r.status === 200 && r.start >= startedAt).sort((a, b) => a.end - b.end)[0];
      const recoveredAt = firstOk?.end ?? Infinity;
      outage = {
        seconds: downSeconds,
        requests: requests.length,
        failed: failed.length,
        failedWith503: failed.filter((r) => r.status === 503 && r.code === 'SERVICE_UNAVAILABLE').length,
        slowestFailureMs: Math.max(0, ...failed.map((r) => r.end - r.start)),
        secondsToRecover: Number(((recoveredAt - startedAt) / 1000).toFixed(2)),
        // Failures of requests that started before the stop or after the recovery: there should be none.
        errorsOutsideWindow: failed.filter((r) => r.end < stoppedAt || r.start > recoveredAt).length,
        serviceAlive: service.exitCode === null,
      };
    }
    await stopService(service);

    let texts: QueryTextsResult | undefined;
    if (options.texts > 0) {
      progress(`${options.texts.toLocaleString('en-US')} distinct query texts, each twice, against a service in a process of its own`);
      texts = await new Promise<QueryTextsResult>((resolve, reject) => {
        const child = fork(import.meta.filename, [], {
          execArgv: ['--import', 'tsx', '--expose-gc', '--max-semi-space-size=16'],
          env: { ...process.env, BENCH_SERVE_ROLE: 'texts' },
          stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
        });
        child.once('message', () => {
          child.once('message', (result) => resolve(result as QueryTextsResult));
          child.send({ databaseUrl: url, userIds, texts: options.texts, connections: 16 } satisfies QueryTextsRequest);
        });
        child.once('error', reject);
        child.once('exit', (code) => code !== 0 && reject(new Error(`the query texts process exited with ${code}`)));
      });
    }

    const round = (x: number, digits = 2) => Number(x.toFixed(digits));
    const median = pct(batchTimes, 50);
    console.log(
      JSON.stringify({
        dataset: 'ml-100k',
        users: imported.users.inserted,
        products: imported.products.inserted,
        ratings: imported.ratings.inserted,
        cpus: os.cpus().length,
        nodeEnv: process.env.NODE_ENV,
        databasePoolSize: poolSize,
        auth: 'frontend API key on every request',
        rateLimitPerMinute: options.rateLimit,
        loadAverage1m: { atStart: round(loadAtStart), atEnd: round(os.loadavg()[0]) },
        trainSeconds: round(trainSeconds, 1),
        recommendations: { connections: options.connections, seconds: options.seconds, ...idle },
        rawSql: {
          connections: options.connections,
          seconds: round(rawSeconds, 1),
          queriesPerSecond: Math.round(latencies.length / rawSeconds),
          p50Ms: round(pct(latencies, 50)),
          p99Ms: round(pct(latencies, 99)),
          cpuMicrosPerRequest: { client: rawClientMicros, ...rawCpu },
        },
        batch1000x10: { runs: batchTimes.length, medianMs: round(median, 1), minMs: round(batchTimes[0], 1), maxMs: round(batchTimes.at(-1)!, 1) },
        database: privateServer ? 'a private PostgreSQL (system binaries, fsync on)' : 'DATABASE_URL or the embedded PostgreSQL',
        experiment,
        twoInstances,
        onReplica,
        duringTraining: { ...during, trainingRanThroughout: stillRunning, p99VsIdle: round(during.p99Ms / idle.p99Ms) },
        outage,
        distinctQueryTexts: texts ?? null,
      }),
    );
  } finally {
    for (const instance of instances) await stopService(instance);
    replicaServer?.destroy();
    await store.close().catch(() => {});
    await onServer(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`).catch(() => {});
    await server.stop();
    fs.rmSync(modelsDir, { recursive: true, force: true });
  }
  process.exit(0);
}
