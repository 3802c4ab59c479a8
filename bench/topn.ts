// `npm run bench:topn -- --data ../shared/data/ml-100k [--split u1] [--set key=value ...]`
// The top-N protocol a new user would run (Cremonesi et al. 2010): <split>.base imported and trained through
// the CLI (`import movielens`, `train --wait`, default configuration, quality gate on), the service started on
// the result, and every <split>.test user's `recommendations(first: 10)` asked over HTTP, as a shop's frontend
// asks; each list is judged against what that user rated ≥ 4 in <split>.test, beside the 10 most-rated products
// of <split>.base they have not rated. The test RMSE comes from `scores` over HTTP too. One JSON line on stdout.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { pino } from 'pino';
import { loadConfig } from '../src/config.js';
import { createStore } from '../src/store/db.js';
import { startService } from '../src/service.js';
import { CatalogRankingTally, topK } from '../src/model/metrics.js';
import { benchLogger, benchServer, round, withFreshDatabase } from './support.js';

const log = benchLogger('topn');
const options = new Command()
  .option('--data <dir>', 'the ml-100k folder', '../shared/data/ml-100k')
  .option('--split <name>', 'u1 … u5, ua or ub', 'u1')
  .option('--set <key=value...>', 'TrainingConfig overrides for the run (JSON values), passed to `train --set`', [])
  .option('--concurrency <n>', 'requests in flight', '8')
  .parse()
  .opts<{ data: string; split: string; set: string[]; concurrency: string }>();

const dataDir = path.resolve(options.data);
for (const file of ['u.item', 'u.user', `${options.split}.base`, `${options.split}.test`]) {
  if (!fs.existsSync(path.join(dataDir, file))) {
    console.error(`error: ${path.join(dataDir, file)} not found: --data must be the ml-100k folder`);
    process.exit(1);
  }
}
const K = 10;
const rows = (file: string) =>
  fs
    .readFileSync(path.join(dataDir, file), 'utf8')
    .trim()
    .split('\n')
    .map((line) => line.split('\t'));
const base = rows(`${options.split}.base`);
const test = rows(`${options.split}.test`);

/** Runs the project's CLI with `env`; its stdout, or an error with its stderr's tail. */
function cli(args: string[], env: NodeJS.ProcessEnv): Promise<{ stdout: string; seconds: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => {
      if (code === 0) resolve({ stdout, seconds: (performance.now() - started) / 1000 });
      else reject(new Error(`cli ${args.join(' ')} exited ${code}: ${stderr.slice(-2000)}`));
    });
  });
}

async function graphql<T>(url: string, query: string, variables: Record<string, unknown>): Promise<T> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
  const body = (await response.json()) as { data?: T; errors?: unknown };
  if (!body.data) throw new Error(`GraphQL failed: ${JSON.stringify(body.errors)}`);
  return body.data;
}

async function inParallel<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await work(items[next++]);
    }),
  );
}

const server = await benchServer(log);
const modelsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-topn-'));
try {
  const result = await withFreshDatabase(server, 'bench_topn', async (url) => {
    const env = { ...process.env, DATABASE_URL: url, MODELS_DIR: modelsDir, LOG_LEVEL: 'warn', RETRAIN_CRON: 'off' };
    const imported = await cli(['import', 'movielens', dataDir, '--ratings', `${options.split}.base`, '--json'], env);
    log.info({ seconds: round(imported.seconds) }, `imported ${options.split}.base through the CLI`);
    const trained = await cli(['train', '--wait', '--json', ...options.set.flatMap((kv) => ['--set', kv])], env);
    const run = JSON.parse(trained.stdout) as {
      id: number;
      status: string;
      reason: string;
      phases: Record<string, number>;
      metrics: { catalog: Record<string, unknown> };
    };
    log.info({ seconds: round(trained.seconds), status: run.status, reason: run.reason }, 'trained through the CLI');

    const store = createStore(url);
    const config = { ...loadConfig({ ...process.env, RETRAIN_CRON: 'off', RATE_LIMIT_PER_MINUTE: '0' }), databaseUrl: url, modelsDir, role: 'api' as const };
    const service = await startService(store, config, pino({ level: 'warn' }, pino.destination(2)), 'bench-topn-admin-token');
    const api = await service.server.listen(0, '127.0.0.1');
    try {
      const relevant = new Map<string, Set<number>>();
      for (const [user, item, rating] of test) {
        if (Number(rating) < 4) continue;
        if (!relevant.has(user)) relevant.set(user, new Set());
        relevant.get(user)!.add(Number(item));
      }
      const users = [...relevant.keys()];
      const lists = new Map<string, { ids: number[]; reasons: string[] }>();
      const asked = performance.now();
      await inParallel(users, Number(options.concurrency), async (userId) => {
        const data = await graphql<{ recommendations: { product: { id: string }; reason: string }[] }>(
          api,
          'query($userId: ID!) { recommendations(userId: $userId, first: 10) { product { id } reason } }',
          { userId },
        );
        lists.set(userId, { ids: data.recommendations.map((r) => Number(r.product.id)), reasons: data.recommendations.map((r) => r.reason) });
      });
      const askSeconds = (performance.now() - asked) / 1000;

      // The API's predicted ratings of every test pair, 10,000 a call.
      const predicted: number[] = [];
      for (let s = 0; s < test.length; s += 10_000) {
        const pairs = test.slice(s, s + 10_000).map(([userId, productId]) => ({ userId, productId }));
        const data = await graphql<{ scores: (number | null)[] }>(api, 'query($pairs: [PairInput!]!) { scores(pairs: $pairs) }', { pairs });
        predicted.push(...data.scores.map((v) => v ?? Number.NaN));
      }
      let squares = 0;
      test.forEach(([, , rating], k) => (squares += (predicted[k] - Number(rating)) ** 2));

      // Products by MovieLens id 1..1682; slot 0 is no product.
      const catalog = 1682;
      const counts = new Float32Array(catalog + 1);
      const ratedBy = new Map<string, number[]>();
      for (const [user, item] of base) {
        counts[Number(item)]++;
        if (!ratedBy.has(user)) ratedBy.set(user, []);
        ratedBy.get(user)!.push(Number(item));
      }
      const served = new CatalogRankingTally(K, catalog + 1);
      const popularity = new CatalogRankingTally(K, catalog + 1);
      let personalized = 0;
      for (const user of users) {
        const list = lists.get(user)!;
        personalized += list.reasons.filter((r) => r === 'PERSONALIZED').length;
        served.add(list.ids, relevant.get(user)!);
        const excluded = new Uint8Array(catalog + 1);
        excluded[0] = 1;
        for (const item of ratedBy.get(user) ?? []) excluded[item] = 1;
        popularity.add(topK(counts, K, excluded), relevant.get(user)!);
      }
      const quality = (tally: CatalogRankingTally) => {
        const r = tally.result();
        return {
          ndcgAt10: round(r.ndcg, 4),
          hitRateAt10: round(r.hitRate, 4),
          precisionAt10: round(r.precision, 4),
          recallAt10: round(r.recall, 4),
          coverage: round((r.coverage * (catalog + 1)) / catalog, 4),
        };
      };
      const api10 = quality(served);
      const pop10 = quality(popularity);
      const recorded = run.metrics?.catalog as { served?: { ndcg: number }; popularity?: { ndcg: number }; blend?: unknown } | undefined;
      return {
        split: options.split,
        users: users.length,
        runStatus: run.status,
        gate: run.reason,
        recommendations: api10,
        popularity: pop10,
        ndcgVsPopularity: round(api10.ndcgAt10 / pop10.ndcgAt10, 3),
        personalizedShare: round(personalized / (users.length * K), 4),
        testRmseThroughScores: round(Math.sqrt(squares / test.length), 4),
        // The run's own measurement on its validation split (its users, its held-out ratings).
        runValidation: recorded && {
          served: round(recorded.served?.ndcg ?? NaN, 4),
          popularity: round(recorded.popularity?.ndcg ?? NaN, 4),
          blend: recorded.blend,
        },
        importSeconds: round(imported.seconds),
        trainCommandSeconds: round(trained.seconds),
        phases: run.phases,
        secondsToAskEveryUser: round(askSeconds),
      };
    } finally {
      await service.close();
      await store.close();
    }
  });
  console.log(JSON.stringify(result));
} finally {
  fs.rmSync(modelsDir, { recursive: true, force: true });
  await server.stop();
}
