// Training runs end to end through the real HTTP server, the job queue, the
// worker thread, the model and PostgreSQL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import { startTestApi, codeOf, type TestApi } from '../helpers/api.js';
import { seedShop } from '../../src/ingest/synthetic.js';
import { TRAINING_NICE } from '../../src/training/threads/priority.js';
import { resolveConfig } from '../../src/model/config.js';

let api: TestApi;

/** The nice value of every thread of this process (Linux). */
function threadNiceValues(): number[] {
  return fs.readdirSync('/proc/self/task').flatMap((tid) => {
    try {
      const stat = fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      return [Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16])]; // field 19: nice
    } catch {
      return []; // the thread ended meanwhile
    }
  });
}
const TRAIN = { epochs: 12, batchSize: 256, seed: 7 };
const RUN_FIELDS = `id status trigger forced active reason error backend matrix phases
  metrics { network { rmse mae precisionAt10 recallAt10 ndcgAt10 } baseline { rmse mae } relevanceThreshold validationRatings }
  history { member epoch epochs trainRmse valRmse loss seconds } progress { phase member members epoch epochs loss }`;

before(async () => {
  api = await startTestApi();
  await seedShop(api.db.store, { users: 150, products: 120, ratings: 6000, seed: 3 });
});
after(async () => {
  await api?.close();
});

async function retrain(variables: Record<string, unknown>, token?: string | false) {
  return api.gql(`mutation($force: Boolean, $config: TrainingConfigInput) { retrain(force: $force, config: $config) { ${RUN_FIELDS} } }`, variables, token);
}

/** Polls a run until it ends, calling `meanwhile` on every poll. */
async function waitForRun(id: string, meanwhile?: (run: any) => Promise<void>): Promise<any> {
  const deadline = Date.now() + 240_000;
  for (;;) {
    const { data } = await api.gql(`query($id: ID!) { modelRun(id: $id) { ${RUN_FIELDS} } }`, { id });
    const run = data.modelRun;
    await meanwhile?.(run);
    if (!['QUEUED', 'RUNNING'].includes(run.status)) return run;
    if (Date.now() > deadline) throw new Error(`run ${id} did not finish: ${JSON.stringify(run)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function matrixFingerprint() {
  const { rows } = await api.db.store.pool.query('SELECT count(*)::int AS rows, round(sum(score)::numeric, 2)::float AS total FROM predictions');
  return rows[0] as { rows: number; total: number };
}

async function expectedCells() {
  const { rows } = await api.db.store.pool.query(
    `SELECT (SELECT count(DISTINCT user_id) FROM ratings) * (SELECT count(*) FROM products) - (SELECT count(*) FROM ratings) AS n`,
  );
  return Number(rows[0].n);
}

let firstRun: any;

test('retrain without an admin key is refused and queues nothing', async () => {
  assert.equal(codeOf(await retrain({}, false)), 'UNAUTHENTICATED');
  assert.equal(codeOf(await retrain({}, 'wrong')), 'UNAUTHENTICATED');
  assert.equal(codeOf(await retrain({}, await api.createKey('backend'))), 'FORBIDDEN');
  const { data } = await api.gql('{ modelRuns { id } }');
  assert.deepEqual(data.modelRuns, []);
});

test('bad training requests are refused with coded errors', async () => {
  assert.equal(codeOf(await retrain({ config: { epochs: 0 } })), 'BAD_USER_INPUT');
  assert.equal(codeOf(await retrain({ config: { epochs: 100000 } })), 'BAD_USER_INPUT');
  assert.equal(codeOf(await retrain({ config: { dropout: 1.5 } })), 'BAD_USER_INPUT');
  assert.equal(codeOf(await api.gql('mutation { activateModel(id: "999") { id } }')), 'NOT_FOUND');
  assert.equal(codeOf(await api.gql('mutation { activateModel(id: "abc") { id } }')), 'BAD_USER_INPUT');
  const { data } = await api.gql('{ modelRuns { id } activeModel { id } }');
  assert.deepEqual(data, { modelRuns: [], activeModel: null });
});

test('before any training, scores are null', async () => {
  const { data } = await api.gql(`{ score(userId: "u1", productId: "p1") }`);
  assert.deepEqual(data, { score: null });
});

test('ten concurrent retrain calls make one run, which trains, beats its baseline and writes the whole matrix', async () => {
  const responses = await Promise.all(Array.from({ length: 10 }, () => retrain({ config: TRAIN })));
  const ids = new Set(responses.map((r) => r.data.retrain.id));
  assert.equal(ids.size, 1, `expected one run, got ${[...ids]}`);
  const { rows } = await api.db.store.pool.query('SELECT count(*)::int AS n FROM model_runs');
  assert.equal(rows[0].n, 1);
  // Asked with another configuration while that run is pending: refused, and the config is not dropped silently.
  const other = await retrain({ config: { ...TRAIN, epochs: 3 } });
  assert.equal(other.status, 409);
  assert.equal(codeOf(other), 'CONFLICT');
  assert.match(other.errors![0].message, /config\.epochs: 3 asked, 12 pending/);
  assert.equal(codeOf(await retrain({ force: true })), 'CONFLICT');
  // Asked for nothing the pending run lacks: that run.
  assert.deepEqual((await retrain({})).data.retrain.id, [...ids][0]);

  let sawProgress = false;
  let sawNiceTrainer = false;
  const run = await waitForRun([...ids][0], async (r) => {
    if (r.status === 'RUNNING' && r.progress?.phase) sawProgress = true;
    if (r.progress?.phase === 'train') {
      assert.equal(r.progress.members, resolveConfig({}).ensembleSize);
      sawNiceTrainer ||= threadNiceValues().includes(TRAINING_NICE);
    }
  });
  firstRun = run;
  assert.equal(run.status, 'SUCCEEDED', JSON.stringify(run));
  assert.equal(run.active, true);
  assert.equal(run.trigger, 'ADMIN');
  assert.ok(sawProgress, 'live progress was visible while the run was running');
  // The worker thread trains at a lower priority than the API's threads (Linux: per thread).
  if (process.platform === 'linux') {
    assert.ok(sawNiceTrainer, 'a thread at the training nice value while training');
    assert.equal(os.getPriority(), 0, 'the API thread keeps its priority');
  }
  // The default ensemble, each network with its epochs in the history.
  const members = Array.from({ length: resolveConfig({}).ensembleSize }, (_, i) => i + 1);
  assert.deepEqual([...new Set(run.history.map((e: any) => e.member))], members);
  assert.ok(run.metrics.network.rmse < run.metrics.baseline.rmse, JSON.stringify(run.metrics));
  assert.ok(run.history.length >= 1 && run.history.every((e: any) => e.epochs === 12 && e.valRmse > 0));
  for (const phase of ['load', 'train', 'select', 'evaluate', 'score', 'writeBack']) assert.ok(phase in run.phases, phase);
  assert.equal(run.backend, 'onnxruntime'); // it loads here: the engine the default configuration trains on
  const cells = await expectedCells();
  assert.equal(run.matrix.rows, cells);
  assert.equal(run.matrix.topK, null);
  assert.equal((await matrixFingerprint()).rows, cells);
  // No rated pair is in the matrix.
  const overlap = await api.db.store.pool.query('SELECT count(*)::int AS n FROM predictions p JOIN ratings r USING (user_id, product_id)');
  assert.equal(overlap.rows[0].n, 0);
  const active = await api.gql('{ activeModel { id } }');
  assert.equal(active.data.activeModel.id, run.id);
});

test('score and scores answer from the active model, in the order asked', async () => {
  // The matrix keeps each pair's rank score and unclipped predicted rating; score() answers the rating, clipped to 1..5.
  const pairs = await api.db.store.pool.query(
    `SELECT u.external_id AS "userId", p.external_id AS "productId", LEAST(5::real, GREATEST(1::real, pr.rating)) AS score
     FROM predictions pr JOIN users u ON u.id = pr.user_id JOIN products p ON p.id = pr.product_id
     ORDER BY random() LIMIT 50`,
  );
  const { data, errors } = await api.gql(`query($pairs: [PairInput!]!) { scores(pairs: $pairs) }`, {
    pairs: pairs.rows.map(({ userId, productId }) => ({ userId, productId })),
  });
  assert.equal(errors, undefined);
  assert.equal(data.scores.length, 50);
  data.scores.forEach((score: number, i: number) => {
    assert.ok(Math.abs(score - pairs.rows[i].score) < 1e-3, `pair ${i}: ${score} vs matrix ${pairs.rows[i].score}`);
  });
  const one = await api.gql(`query($u: ID!, $p: ID!) { score(userId: $u, productId: $p) }`, {
    u: pairs.rows[0].userId,
    p: pairs.rows[0].productId,
  });
  assert.ok(Math.abs(one.data.score - pairs.rows[0].score) < 1e-3);

  // A product added after training is scored by the baseline, not lost.
  await api.gql(`mutation { upsertProduct(input: { id: "brand-new", name: "New" }) { id } }`);
  const fresh = await api.gql(`query($u: ID!) { score(userId: $u, productId: "brand-new") }`, { u: pairs.rows[0].userId });
  assert.ok(fresh.data.score >= 1 && fresh.data.score <= 5);

  assert.equal(codeOf(await api.gql(`{ score(userId: "nobody", productId: "brand-new") }`)), 'NOT_FOUND');
  const tooMany = Array.from({ length: 10_001 }, () => ({ userId: 'a', productId: 'b' }));
  assert.equal(codeOf(await api.gql(`query($pairs: [PairInput!]!) { scores(pairs: $pairs) }`, { pairs: tooMany })), 'BAD_USER_INPUT');
});

test('a worse run is rejected by the gate and the served matrix stays', async () => {
  const before = await matrixFingerprint();
  const worse = await retrain({ config: { epochs: 1, learningRate: 1e-7, useBias: false, seed: 1 } });
  const run = await waitForRun(worse.data.retrain.id);
  assert.equal(run.status, 'REJECTED', JSON.stringify(run));
  assert.match(run.reason, /does not beat its baseline|worse than the active model/);
  assert.equal(run.active, false);
  assert.deepEqual(await matrixFingerprint(), before);
  const active = await api.gql('{ activeModel { id } }');
  assert.equal(active.data.activeModel.id, firstRun.id);
});

test('a reader querying during a write-back always sees a complete matrix', async () => {
  // New ratings change the size of the next matrix, so old and new can be told apart.
  const { rows } = await api.db.store.pool.query(
    `INSERT INTO ratings (user_id, product_id, value)
     SELECT user_id, product_id, 3 FROM predictions ORDER BY user_id, product_id LIMIT 40 RETURNING 1`,
  );
  assert.equal(rows.length, 40);
  const oldRows = (await matrixFingerprint()).rows;
  const newRows = await expectedCells();
  assert.notEqual(oldRows, newRows);
  const started = await retrain({ force: true, config: { ...TRAIN, epochs: 3 } });
  const seen = new Set<number>();
  let reads = 0;
  let stop = false;
  const reader = (async () => {
    while (!stop) {
      const { rows } = await api.db.store.pool.query('SELECT count(*)::int AS n FROM predictions');
      seen.add(rows[0].n);
      reads++;
      // A pause between reads leaves the cores to the run (hundreds of reads still fall across its write-back).
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  })();
  const run = await waitForRun(started.data.retrain.id);
  stop = true;
  await reader;
  assert.equal(run.status, 'SUCCEEDED', JSON.stringify(run));
  assert.equal(run.forced, true);
  assert.ok(reads > 10, `only ${reads} reads`);
  for (const n of seen) assert.ok(n === oldRows || n === newRows, `a reader saw ${n} rows (old ${oldRows}, new ${newRows})`);
  assert.ok(seen.has(newRows));
});

test('activateModel rolls back to an earlier run, re-scored from its artifacts, while the reaper runs', async () => {
  const activation = api.gql(`mutation($id: ID!) { activateModel(id: $id) { id active } }`, { id: firstRun.id });
  // The reaper (every minute, in every instance) drops staging tables of runs that are not running,
  // and the re-activated run is `succeeded`: it must leave this one's alone. Here it runs throughout.
  let done = false;
  let reaps = 0;
  const reaping = (async () => {
    while (!done) {
      await api.service.scheduler.recover();
      reaps++;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  const response = await activation.finally(() => (done = true));
  await reaping;
  assert.ok(reaps >= 2, `the reaper ran ${reaps} times`);
  assert.equal(response.errors, undefined, JSON.stringify(response.errors));
  assert.deepEqual(response.data.activateModel, { id: firstRun.id, active: true });
  const { data } = await api.gql('{ modelRuns { id active status } }');
  assert.deepEqual(
    data.modelRuns.filter((r: any) => r.active).map((r: any) => r.id),
    [firstRun.id],
  );
  // The matrix now covers the current ratings (rated pairs excluded), from the first run's model.
  assert.equal((await matrixFingerprint()).rows, await expectedCells());
  const unauth = await api.gql(`mutation($id: ID!) { activateModel(id: $id) { id } }`, { id: firstRun.id }, false);
  assert.equal(codeOf(unauth), 'UNAUTHENTICATED');
});
