// Serving reads on a streaming replica the test makes (pg_basebackup -R from a
// PostgreSQL of its own): they reach it, a rating just written on the primary is
// left out at once even while the replica lags, a lagging replica is skipped and
// taken back once it has caught up.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { skipWithoutServerBinaries, startPrivatePostgres, type PrivatePostgres } from '../../scripts/private-postgres.js';
import { until } from '../helpers/process.js';
import { TEST_TOKEN } from '../helpers/api.js';
import { seededDatabaseOn } from '../helpers/db.js';
import type { Store } from '../../src/store/db.js';
import { loadConfig } from '../../src/config.js';
import { logger } from '../../src/log.js';
import { startService, type Service } from '../../src/service.js';
import { requestRun } from '../../src/training/registry.js';

let primary: PrivatePostgres;
let replica: PrivatePostgres;
let store: Store;
let service: Service;
let url: string;
let replicaAdmin: pg.Client;
const modelsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'replica-models-'));

const skip = skipWithoutServerBinaries();

before(async () => {
  if (skip) return;
  primary = await startPrivatePostgres();
  store = await seededDatabaseOn(primary.url(), 'recsys', { users: 40, products: 30, ratings: 900, seed: 6 });
  replica = await primary.replica();
  const config = {
    ...loadConfig({ ...process.env, RETRAIN_CRON: 'off', DATABASE_READ_URLS: replica.url('recsys'), DATABASE_READ_MAX_LAG: '2' }),
    databaseUrl: primary.url('recsys'),
    modelsDir,
  };
  service = await startService(store, config, logger, TEST_TOKEN);
  url = await service.server.listen(0, '127.0.0.1');
  // Recorded without a queue job: the service's own queue worker would race this trainer for it.
  const { run } = await requestRun(store.prisma, { trigger: 'cli', force: true, config: { epochs: 3, ensembleSize: 1 } });
  assert.equal((await service.supervisor.execute(run.id))?.status, 'succeeded');
  service.reads.pools()[0].pool.on('acquire', () => sentToReplica++);
  replicaAdmin = new pg.Client({ connectionString: replica.url('recsys') });
  await replicaAdmin.connect();
});
after(async () => {
  await replicaAdmin?.query('SELECT pg_wal_replay_resume()').catch(() => {});
  await replicaAdmin?.end();
  await service?.close();
  await store?.close();
  replica?.destroy();
  primary?.destroy();
  fs.rmSync(modelsDir, { recursive: true, force: true });
});

async function gql(query: string) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_TOKEN}` },
    body: JSON.stringify({ query }),
  });
  const body = (await response.json()) as { data?: any; errors?: unknown[] };
  assert.equal(body.errors, undefined, JSON.stringify(body.errors));
  return body.data;
}

/** Statements the service has sent to the replica: each takes a connection of its pool. */
let sentToReplica = 0;
const replicaStatements = async () => sentToReplica;

const recommended = async (user: string) =>
  (
    (await gql(`{ recommendations(userId: "${user}", first: 5) { reason product { id } } }`)).recommendations as { reason: string; product: { id: string } }[]
  ).map((r) => r.product.id);

test('serving reads go to the replica; a fresh rating is left out at once while it lags; a lagging replica is skipped, then taken back', { skip }, async () => {
  // The user with the most products left to recommend (the synthetic shop is dense: some have rated nearly all).
  const roomiest = (
    await store.pool.query<{ id: string }>(
      'SELECT u.external_id AS id FROM predictions p JOIN users u ON u.id = p.user_id GROUP BY u.external_id ORDER BY count(*) DESC, 1 LIMIT 1',
    )
  ).rows[0].id;
  await until('the replica is in use', 10, async () => (service.recommender && (await recommended(roomiest)).length === 5 ? true : undefined));
  const before = await replicaStatements();
  for (let k = 0; k < 30; k++) await recommended(`user-${String((k % 40) + 1).padStart(2, '0')}`);
  const during = (await replicaStatements()) - before;
  assert.ok(during >= 30, `statements on the replica for 30 requests: ${during}`);

  // The replica stops replaying: what is written now is on the primary only.
  await replicaAdmin.query('SELECT pg_wal_replay_pause()');
  // A user with more than five products left to recommend.
  const { rows } = await store.pool.query<{ id: string }>(
    'SELECT u.external_id AS id FROM predictions p JOIN users u ON u.id = p.user_id GROUP BY u.external_id HAVING count(*) >= 8 ORDER BY 1 LIMIT 1',
  );
  const user = rows[0].id;
  const [top] = await recommended(user);
  await gql(`mutation { rateProduct(userId: "${user}", productId: "${top}", rating: 1) { value } }`);
  const usedBefore = await replicaStatements();
  const after = await recommended(user);
  assert.ok(!after.includes(top), `${top}, rated a moment ago, is left out: ${after}`);
  assert.equal(after.length, 5);
  assert.ok((await replicaStatements()) > usedBefore, 'that list was read from the replica');
  const stale = await replicaAdmin.query(
    `SELECT 1 FROM ratings r JOIN users u ON u.id = r.user_id JOIN products p ON p.id = r.product_id WHERE u.external_id = $2 AND p.external_id = $1 AND r.value = 1`,
    [top, user],
  );
  assert.equal(stale.rows.length, 0, 'the replica does not have the rating yet');
  // A user made a moment ago is found (on the primary), not NOT_FOUND.
  await gql('mutation { upsertUser(input: { id: "fresh-user" }) { id } }');
  assert.equal((await recommended('fresh-user')).length, 5);

  // Past DATABASE_READ_MAX_LAG (2 s) it is skipped: reads go to the primary.
  await until('the replica is skipped', 10, async () => (service.recommender && !(await readsReplica()) ? true : undefined));
  await replicaAdmin.query('SELECT pg_wal_replay_resume()');
  await until('the replica is used again', 10, async () => ((await readsReplica()) ? true : undefined));
});

async function readsReplica(): Promise<boolean> {
  const before = await replicaStatements();
  for (let k = 0; k < 5; k++) await recommended('user-01');
  return (await replicaStatements()) - before >= 5;
}
