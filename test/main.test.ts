// `npm start` as it runs: the service compiled to dist/ (`npm run build`) and
// started by the `serve` script with plain node, not through tsx as the other
// tests run the sources. On a store with ratings and no model it queues its
// first training run at once, which trains and scores on worker threads started
// from the compiled files, then serves personalised recommendations.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestDatabase, type TestDatabase } from './helpers/db.js';
import { seedShop } from '../src/ingest/synthetic.js';
import { freePort, until as waitFor } from './helpers/process.js';

/** Waits for `probe`, showing the service's log if it does not come. */
const until = <T>(what: string, seconds: number, probe: () => Promise<T | undefined>) => waitFor(what, seconds, probe, () => log);

const ROOT = path.resolve(import.meta.dirname, '..');
const TOKEN = 'main-test-token-0123';

let db: TestDatabase;
let dir: string;
let service: ChildProcess | undefined;
let log = '';

before(async () => {
  db = await createTestDatabase('main');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'main-'));
});
after(async () => {
  service?.kill('SIGKILL');
  await db.drop();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('the compiled service starts, trains its first model on threads, and serves it', async () => {
  const build = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(build.status, 0, `npm run build failed:\n${build.stdout}${build.stderr}`);

  await seedShop(db.store, { users: 40, products: 30, ratings: 800, seed: 7 });
  const { rows } = await db.store.pool.query<{ id: string }>('SELECT external_id AS id FROM users ORDER BY id LIMIT 1');
  const userId = rows[0].id;

  // Exactly what the `serve` script runs (npm start runs it after the build).
  const [command, ...args] = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.serve.split(
    ' ',
  );
  assert.equal(command, 'node');
  const port = await freePort();
  service = spawn(process.execPath, args, {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: db.url,
      PORT: String(port),
      HOST: '127.0.0.1',
      ADMIN_TOKEN: TOKEN,
      DATA_DIR: path.join(dir, 'data'),
      MODELS_DIR: path.join(dir, 'models'),
      RETRAIN_CRON: 'off',
      SEED_DEMO: 'false',
      LOG_LEVEL: 'info',
      NODE_ENV: 'production',
      TRAINING_THREADS: '2',
    },
  });
  service.stdout!.on('data', (chunk) => (log += chunk));
  service.stderr!.on('data', (chunk) => (log += chunk));
  const exited = new Promise<number | null>((resolve) => service!.on('exit', (code) => resolve(code)));

  const url = `http://127.0.0.1:${port}`;
  const gql = async (query: string) => {
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ query }),
    });
    return (await response.json()) as { data?: any; errors?: unknown[] };
  };
  await until('ready', 60, async () => ((await fetch(`${url}/readyz`)).ok ? true : undefined));

  const run = await until('the first training run', 180, async () => {
    const { data } = await gql('{ modelRuns { id status trigger active error } }');
    const [first] = data.modelRuns as { id: string; status: string }[];
    return first && !['QUEUED', 'RUNNING'].includes(first.status) ? first : undefined;
  });
  assert.deepEqual(run, { id: run.id, status: 'SUCCEEDED', trigger: 'SCHEDULE', active: true, error: null }, log);

  // The service notices the new active run within a second.
  const recommendations = await until('personalised recommendations', 10, async () => {
    const { data } = await gql(`{ recommendations(userId: "${userId}", first: 5) { rank reason product { id } } }`);
    const list = data.recommendations as { rank: number; reason: string }[];
    return list.every((r) => r.reason === 'PERSONALIZED') ? list : undefined;
  });
  assert.deepEqual(
    recommendations.map((r) => r.rank),
    [1, 2, 3, 4, 5],
  );

  // A key made and used, a wrong one refused: neither the keys nor the admin token reach the log.
  const made = await gql('mutation { createApiKey(name: "log check", role: BACKEND) { key } }');
  const key = made.data.createApiKey.key as string;
  const withKey = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query: '{ users(first: 1) { totalCount } }' }),
  });
  assert.equal(withKey.status, 200);
  const wrong = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer rk_wrong-key-0123456789' },
    body: '{"query":"{ __typename }"}',
  });
  assert.equal(wrong.status, 401);

  service.kill('SIGTERM');
  assert.equal(await exited, 0, `exit on SIGTERM. The service's log:\n${log}`);
  assert.match(log, /"msg":"shutting down"/);
  assert.match(log, /"adminTokenSource":"the ADMIN_TOKEN environment variable"/);
  assert.ok(!log.includes(TOKEN), 'the admin token is not in the log');
  assert.ok(!log.includes(key), 'an API key is not in the log');
  assert.ok(!log.includes('rk_wrong-key-0123456789'), 'a refused key is not in the log');
});

test('a short or empty admin token is refused at start, with what to do', async () => {
  const start = (env: Record<string, string>) =>
    spawnSync(process.execPath, ['dist/main.js'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: {
        ...process.env,
        DATABASE_URL: db.url,
        PORT: '0',
        DATA_DIR: path.join(dir, 'short'),
        RETRAIN_CRON: 'off',
        SEED_DEMO: 'false',
        LOG_LEVEL: 'info',
        ...env,
      },
      timeout: 60_000,
    });
  const short = start({ ADMIN_TOKEN: 'abc123' });
  assert.equal(short.status, 1);
  assert.match(short.stdout + short.stderr, /ADMIN_TOKEN is 6 characters long; at least 16 are needed/);
  assert.ok(!(short.stdout + short.stderr).includes('abc123'));
  fs.mkdirSync(path.join(dir, 'short'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'short', 'admin-token'), '\n');
  const empty = start({});
  assert.equal(empty.status, 1);
  assert.match(empty.stdout + empty.stderr, /admin-token is empty\. Delete .* to have a new token generated/);
});
