// The CLI's training commands as a shop's engineer runs them, each a child process against one database:
// `import events`, `train --wait` stopped by its budget (and saying so), `recommend`, `tune` and `promote`.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createEmptyDatabase } from '../helpers/db.js';
import { runCli } from '../helpers/cli.js';

let db: { url: string; drop(): Promise<void> };
let pool: pg.Pool;
let dir: string;
before(async () => {
  db = await createEmptyDatabase('cli_training');
  pool = new pg.Pool({ connectionString: db.url, max: 2 });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-training-'));
  const seeded = await cli({}, 'seed', '--users', '60', '--products', '40', '--ratings', '1500', '--seed', '5');
  assert.equal(seeded.code, 0, seeded.stderr);
});
after(async () => {
  await pool?.end();
  await db?.drop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const cli = (env: Record<string, string>, ...args: string[]) =>
  runCli({ DATABASE_URL: db.url, MODELS_DIR: path.join(dir, 'models'), LOG_LEVEL: 'warn', NODE_ENV: 'production', ...env }, ...args);

test('import events reads a CSV of events, creates who and what it names, and reports a bad row by its line', async () => {
  const file = path.join(dir, 'events.csv');
  fs.writeFileSync(
    file,
    [
      'user_id,product_id,type,timestamp',
      'user-01,product-01,view,2026-11-01T10:00:00Z',
      'visitor-9,product-02,purchase,2026-11-01T11:00:00Z',
      'user-02,product-03,teleport,2026-11-01T12:00:00Z',
      '',
    ].join('\n'),
  );
  const imported = await cli({}, 'import', 'events', '--file', file, '--json');
  assert.equal(imported.code, 0, imported.stderr);
  const { rows } = await pool.query(`SELECT count(*)::int AS events, (SELECT count(*)::int FROM users WHERE external_id = 'visitor-9') AS created FROM events`);
  assert.deepEqual(rows[0], { events: 2, created: 1 });
  const summary = JSON.parse(imported.stdout) as {
    events: { read: number; skipped: number; inserted: number };
    problems: { sample: { line: number; message: string }[] };
  };
  assert.deepEqual(summary.events, { read: 3, skipped: 1, inserted: 2, duplicates: 0 });
  assert.equal(summary.problems.sample[0].line, 4);
  assert.match(summary.problems.sample[0].message, /teleport/);
});

test('train --wait stopped by TRAINING_BUDGET_S says so in its summary; recommend then shows the served list', async () => {
  // Patience off and many epochs: only the budget (1 s) can stop the network.
  const trained = await cli(
    { TRAINING_BUDGET_S: '1' },
    'train',
    '--wait',
    '--force',
    '--epochs',
    '400',
    '--set',
    'earlyStoppingPatience=0',
    '--set',
    'ensembleSize=1',
  );
  assert.equal(trained.code, 0, trained.stderr);
  assert.match(trained.stdout, /Run \d+: succeeded/);
  assert.match(trained.stdout, /training stopped by its budget of 1 s \(TRAINING_BUDGET_S\): 1 of 1 networks kept their best epoch so far/);

  const listed = await cli({}, 'recommend', 'user-01', '--first', '5', '--json');
  assert.equal(listed.code, 0, listed.stderr);
  const items = JSON.parse(listed.stdout) as { productId: string; reason: string }[];
  assert.equal(items.length, 5);
  assert.ok(
    items.every((item) => item.reason === 'PERSONALIZED' && /^product-\d+$/.test(item.productId)),
    listed.stdout,
  );
  const { rows } = await pool.query(
    `SELECT p.external_id AS id FROM ratings r JOIN users u ON u.id = r.user_id JOIN products p ON p.id = r.product_id WHERE u.external_id = 'user-01'`,
  );
  const rated = new Set(rows.map((r) => r.id));
  assert.ok(
    items.every((item) => !rated.has(item.productId)),
    'a rated product is never recommended',
  );

  const unknown = await cli({}, 'recommend', 'nobody-at-all');
  assert.notEqual(unknown.code, 0);
  assert.match(unknown.stderr, /There is no user "nobody-at-all"/);
});

test('tune runs its trials, names the best, and promote makes a trial the default of later runs', async () => {
  const tuned = await cli({}, 'tune', '--trials', '2', '--seed', '3', '--set', 'epochs=2', '--set', 'ensembleSize=1', '--json');
  assert.equal(tuned.code, 0, tuned.stderr);
  const { search, trials } = JSON.parse(tuned.stdout) as {
    search: { status: string; bestRunId: number };
    trials: { id: number; status: string; trigger: string }[];
  };
  assert.equal(search.status, 'succeeded');
  assert.equal(trials.length, 2);
  assert.ok(
    trials.every((t) => t.status === 'succeeded' && t.trigger === 'tuning'),
    JSON.stringify(trials),
  );
  assert.ok(trials.some((t) => t.id === search.bestRunId));

  const promoted = await cli({}, 'promote', String(search.bestRunId));
  assert.equal(promoted.code, 0, promoted.stderr);
  assert.match(promoted.stdout, new RegExp(`Run ${search.bestRunId}'s configuration is now the default`));
  const { rows } = await pool.query(`SELECT value FROM store_settings WHERE key = 'training_defaults'`);
  assert.equal(rows.length, 1);
  assert.equal((rows[0].value as { epochs: number }).epochs, 2);

  const missing = await cli({}, 'promote', '9999');
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /There is no run 9999/);
});

test('experiments start --wait serves an A/B test; show, list, a refused promote, stop; online-metrics by variant', async () => {
  const { rows } = await pool.query<{ id: number }>('SELECT id FROM model_runs WHERE active');
  const runId = rows[0].id;
  const bad = await cli({}, 'experiments', 'start', '--name', 'x', '--variant', `model=${runId}:0.7`, '--variant', 'popular=popular:0.7');
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /the shares add up to 1\.400/);
  const started = await cli(
    {},
    'experiments',
    'start',
    '--name',
    'model vs popular',
    '--variant',
    `model=${runId}:0.5`,
    '--variant',
    'popular=popular:0.5',
    '--wait',
  );
  assert.equal(started.code, 0, started.stderr);
  assert.match(started.stdout, /Experiment 1 is running/);
  // The active run's variant reads the served matrix: no copy of it is written.
  const table = await pool.query(`SELECT to_regclass('predictions_run_${runId}') IS NOT NULL AS written`);
  assert.equal(table.rows[0].written, false);
  const listed = await cli({}, 'experiments');
  assert.match(listed.stdout, new RegExp(`model vs popular\\s+running\\s+conversion\\s+model=${runId}:0.5 popular=popular:0.5`));
  const refused = await cli({}, 'experiments', 'stop', '1', '--promote');
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /No variant has won yet/);
  const stopped = await cli({}, 'experiments', 'stop', '1');
  assert.equal(stopped.code, 0, stopped.stderr);
  assert.match(stopped.stdout, /Experiment 1 "model vs popular": stopped/);
  assert.match(stopped.stdout, /popular\s+popular\s+0\.50\s+0\s+0/);
  const metrics = await cli({}, 'online-metrics', '--group-by', 'variant');
  assert.equal(metrics.code, 0, metrics.stderr);
  assert.match(metrics.stdout, /No lists served in the last 7 days/);
});
