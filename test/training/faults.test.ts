// A run whose thread hangs, whose network diverges, or whose service is told to
// stop: each is stopped, recorded failed with its reason, and writes nothing;
// the next run trains as usual.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startTestApi, type TestApi } from '../helpers/api.js';
import { createTestDatabase } from '../helpers/db.js';
import { startServiceProcess, until, type ServiceProcess } from '../helpers/process.js';
import { seedShop } from '../../src/ingest/synthetic.js';
import { TRAINING_DEFAULTS_KEY } from '../../src/tuning/stored-defaults.js';

let api: TestApi;
before(async () => {
  // Run 1's thread hangs, run 2 predicts NaN (src/training/fault-injection.ts); run 3 is left alone.
  process.env.RECSYS_FAULT = 'hang:1,nan:2';
  api = await startTestApi({ RUN_HEARTBEAT_TIMEOUT: '5' });
  await seedShop(api.db.store, { users: 40, products: 30, ratings: 900, seed: 4 });
});
after(async () => {
  delete process.env.RECSYS_FAULT;
  await api?.close();
});

const SMALL = { epochs: 2, ensembleSize: 1, seed: 3 };

async function runToEnd(force = true) {
  const { data, errors } = await api.gql('mutation($c: TrainingConfigInput) { retrain(force: true, config: $c) { id } }', { c: SMALL, force });
  assert.equal(errors, undefined, JSON.stringify(errors));
  return until('the run to end', 60, async () => {
    const { data: d } = await api.gql('query($id: ID!) { modelRun(id: $id) { id status error active } }', { id: data.retrain.id });
    return ['QUEUED', 'RUNNING'].includes(d.modelRun.status) ? undefined : d.modelRun;
  });
}

test('a training thread that stops beating is stopped and its run failed; the next run trains', async () => {
  const started = Date.now();
  const hung = await runToEnd();
  assert.equal(hung.id, '1');
  assert.equal(hung.status, 'FAILED');
  assert.match(hung.error, /The training thread sent no heartbeat for \d+ s \(RUN_HEARTBEAT_TIMEOUT is 5 s\): it was stopped/);
  assert.ok(Date.now() - started < 20_000, 'stopped within seconds of its limit');

  const diverged = await runToEnd();
  assert.equal(diverged.id, '2');
  assert.equal(diverged.status, 'FAILED');
  assert.match(diverged.error, /predicted NaN .*diverged/);
  // Nothing of it is served: no active model, an empty matrix.
  assert.equal((await api.gql('{ activeModel { id } }')).data.activeModel, null);
  assert.equal((await api.db.store.pool.query('SELECT count(*)::int AS n FROM predictions')).rows[0].n, 0);

  const healthy = await runToEnd();
  assert.deepEqual({ ...healthy, error: healthy.error ?? null }, { id: '3', status: 'SUCCEEDED', error: null, active: true });
});

test('a run past RUN_TIMEOUT is stopped and failed with the reason; nothing of it is served', async () => {
  const faults = process.env.RECSYS_FAULT;
  delete process.env.RECSYS_FAULT; // this API's run 1 is an ordinary one
  const slow = await startTestApi({ RUN_TIMEOUT: '3' });
  try {
    await seedShop(slow.db.store, { users: 40, products: 30, ratings: 900, seed: 4 });
    const started = Date.now();
    // Patience off and many epochs: only the time limit ends it.
    const { data } = await slow.gql('mutation { retrain(force: true, config: { epochs: 400, ensembleSize: 1, earlyStoppingPatience: 0 }) { id } }');
    const ended = await until('the run to end', 60, async () => {
      const { data: d } = await slow.gql('query($id: ID!) { modelRun(id: $id) { status error active } }', { id: data.retrain.id });
      return ['QUEUED', 'RUNNING'].includes(d.modelRun.status) ? undefined : d.modelRun;
    });
    assert.equal(ended.status, 'FAILED');
    assert.match(ended.error, /The run took longer than RUN_TIMEOUT \(3 s\): it was stopped/);
    assert.ok(Date.now() - started < 30_000, 'stopped within seconds of its limit');
    assert.equal((await slow.db.store.pool.query('SELECT count(*)::int AS n FROM predictions')).rows[0].n, 0);
  } finally {
    process.env.RECSYS_FAULT = faults;
    await slow.close();
  }
});

test('SIGTERM during training stops the run (failed: shut down) and exits 0 in time', async () => {
  const db = await createTestDatabase('sigterm');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sigterm-'));
  let service: ServiceProcess | undefined;
  try {
    await seedShop(db.store, { users: 60, products: 40, ratings: 2_000, seed: 8 });
    // The first run, queued at start, trains long enough to be signalled: many epochs, patience off (the shop's stored defaults).
    await db.store.pool.query(`INSERT INTO store_settings (key, value) VALUES ($1, $2::jsonb)`, [
      TRAINING_DEFAULTS_KEY,
      JSON.stringify({ epochs: 400, earlyStoppingPatience: 0, patienceRatings: 0 }),
    ]);
    // RECSYS_FAULT (set for the test above) is not passed on.
    const started = await startServiceProcess({ cwd: dir, token: 'sigterm-test-token-0123', env: { DATABASE_URL: db.url, RECSYS_FAULT: '' } });
    service = started;
    await until(
      'a run training',
      60,
      async () => {
        const { data } = await started.gql('{ modelRuns { status progress { phase } } }');
        return data.modelRuns[0]?.progress?.phase === 'train' ? true : undefined;
      },
      started.log,
    );
    const signalled = Date.now();
    const code = await started.stop('SIGTERM');
    assert.equal(code, 0, started.log());
    assert.ok(Date.now() - signalled < 20_000, `exited ${Date.now() - signalled} ms after SIGTERM`);
    const { rows } = await db.store.pool.query(`SELECT status, error FROM model_runs`);
    assert.deepEqual(rows, [{ status: 'failed', error: 'The service shut down during the run: it was stopped.' }]);
  } finally {
    await service?.stop('SIGKILL');
    await db.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
