// Several instances, one truth: two service processes on one database, from
// different working directories with empty MODELS_DIRs, one training and one
// API-only. They serve the same model, and an activation on either is served by
// both within seconds.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { startServiceProcess, until, type ServiceProcess } from '../helpers/process.js';
import { seedShop } from '../../src/ingest/synthetic.js';

const TOKEN = 'instances-test-token-0123';
let db: TestDatabase;
let trainer: ServiceProcess;
let api: ServiceProcess;
const dirs: string[] = [];

before(async () => {
  db = await createTestDatabase('instances');
  await seedShop(db.store, { users: 40, products: 30, ratings: 900, seed: 3 });
  const dir = () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'instance-'));
    dirs.push(d);
    return d;
  };
  // MODELS_DIR and DATA_DIR unset: each uses models/ and .data/ in its own working directory.
  trainer = await startServiceProcess({ cwd: dir(), token: TOKEN, env: { DATABASE_URL: db.url, TRAINER: 'true' } }); // the old name, still read as ROLE=all
  api = await startServiceProcess({ cwd: dir(), token: TOKEN, env: { DATABASE_URL: db.url, ROLE: 'api' } });
});
after(async () => {
  await Promise.all([trainer?.stop(), api?.stop()]);
  await db?.drop();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

const PAIRS = Array.from({ length: 12 }, (_, k) => ({
  userId: `user-${String((k % 40) + 1).padStart(2, '0')}`,
  productId: `product-${String(((k * 7) % 30) + 1).padStart(2, '0')}`,
}));
const SERVED = `query($pairs: [PairInput!]!) {
  scores(pairs: $pairs)
  similarProducts(productId: "product-01", first: 5) { similarity product { id } }
  similarUsers(userId: "user-01", first: 5) { similarity user { id } }
}`;

async function waitForRun(service: ServiceProcess, id: string) {
  return until(
    `run ${id} to finish`,
    120,
    async () => {
      const { data } = await service.gql('query($id: ID!) { modelRun(id: $id) { id status active error } }', { id });
      return ['QUEUED', 'RUNNING'].includes(data.modelRun.status) ? undefined : data.modelRun;
    },
    () => trainer.log(),
  );
}

/** What a service serves now: scores and neighbours from the model it has loaded. */
async function served(service: ServiceProcess) {
  const response = await service.gql(SERVED, { pairs: PAIRS });
  assert.equal(response.errors, undefined, JSON.stringify(response.errors));
  return response.data;
}

test('both instances serve the same model; an activation on either is served by both within seconds', async () => {
  // The trainer queued a first run at start (ratings, no model); the API-only instance trains nothing.
  const first = await until('the first run', 60, async () => (await trainer.gql('{ modelRuns { id } }')).data.modelRuns.at(-1)?.id);
  assert.equal((await waitForRun(trainer, first)).status, 'SUCCEEDED');
  const firstServed = await until('both instances serve run 1', 15, async () => {
    const [a, b] = [await served(trainer), await served(api)];
    return a.scores[0] !== null && JSON.stringify(a) === JSON.stringify(b) ? a : undefined;
  });
  assert.ok(firstServed.similarProducts.length > 0 && firstServed.similarUsers.length > 0);
  assert.ok(
    fs.readdirSync(path.join(dirs[1], 'models')).some((name) => name.startsWith(`${first}-`)),
    'the API instance fetched the model into its own MODELS_DIR',
  );

  // A second run, asked of the API-only instance: queued for the trainer.
  const second = (await api.gql('mutation { retrain(force: true, config: { epochs: 2, ensembleSize: 1, seed: 9 }) { id } }')).data.retrain.id;
  assert.equal((await waitForRun(trainer, second)).status, 'SUCCEEDED');
  const secondServed = await until('both instances serve run 2', 10, async () => {
    const [a, b] = [await served(trainer), await served(api)];
    return JSON.stringify(a) === JSON.stringify(b) && JSON.stringify(a) !== JSON.stringify(firstServed) ? a : undefined;
  });

  // Rolled back on the trainer: the API-only instance serves run 1 again within seconds.
  const rolledBack = await trainer.gql(`mutation { activateModel(id: "${first}") { id active } }`);
  assert.deepEqual(rolledBack.data.activateModel, { id: first, active: true });
  const started = Date.now();
  await until('the API instance serves run 1 again', 5, async () => (JSON.stringify(await served(api)) === JSON.stringify(firstServed) ? true : undefined));
  assert.ok(Date.now() - started < 5_000);

  // And forward again from the API-only instance (it has no training threads: a trainer re-scores the run).
  const forward = await api.gql(`mutation { activateModel(id: "${second}") { id active } }`);
  assert.deepEqual(forward.data.activateModel, { id: second, active: true }, JSON.stringify(forward.errors));
  await until('both serve run 2 again', 5, async () => {
    const [a, b] = [await served(trainer), await served(api)];
    return JSON.stringify(a) === JSON.stringify(secondServed) && JSON.stringify(b) === JSON.stringify(secondServed) ? true : undefined;
  });
  assert.doesNotMatch(api.log(), /"level":50/, 'no errors logged by the API instance');
});
