// `runs export`: a run's record and its saved model, from the database into a folder, through the CLI.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startTestApi, type TestApi } from '../helpers/api.js';
import { seedShop } from '../../src/ingest/synthetic.js';
import { loadModel } from '../../src/model/artifacts.js';
import { initBackend } from '../../src/model/backend.js';
import { requestRun } from '../../src/training/registry.js';
import { runCli } from '../helpers/cli.js';

let api: TestApi;
let runId: number;
let dir: string;

before(async () => {
  api = await startTestApi({ ROLE: 'api' });
  await seedShop(api.db.store, { users: 40, products: 30, ratings: 600, seed: 3 });
  // Recorded without a queue job: the service's own queue worker would race this trainer for it.
  const { run } = await requestRun(api.db.store.prisma, { trigger: 'cli', force: true, config: { epochs: 2, ensembleSize: 2 } });
  assert.equal((await api.service.supervisor.execute(run.id))?.status, 'succeeded');
  runId = run.id;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'export-'));
});
after(async () => {
  await api?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** The CLI in its own process, with a models folder of its own: the model comes from the database. */
const cli = (...args: string[]) => runCli({ DATABASE_URL: api.db.url, MODELS_DIR: path.join(dir, 'cache'), NODE_ENV: 'production' }, ...args);

test('exports the configuration, metrics, epoch history and a model that loads', async () => {
  const out = path.join(dir, 'run');
  const { code, stdout, stderr } = await cli('runs', 'export', String(runId), '--out', out);
  assert.equal(code, 0, stderr);
  assert.match(stdout, new RegExp(`Exported run ${runId} to ${out}: \\d+ files\\.`));
  const read = (name: string) => JSON.parse(fs.readFileSync(path.join(out, name), 'utf8'));
  assert.equal(read('run.json').id, runId);
  assert.equal(read('run.json').status, 'succeeded');
  assert.equal(read('config.json').model.ensembleSize, 2);
  assert.ok(read('metrics.json').network.rmse > 0);
  assert.deepEqual(
    read('history.json')
      .map((e: { member: number; epoch: number }) => `${e.member}:${e.epoch}`)
      .sort(),
    ['1:1', '1:2', '2:1', '2:2'],
  );
  await initBackend('wasm');
  const { model } = await loadModel(path.join(out, 'model'));
  assert.equal(model.members.length, 2);
  model.dispose();
});

test('refuses an unknown run and a folder that is not empty, writing nothing', async () => {
  const missing = await cli('runs', 'export', '9999', '--out', path.join(dir, 'none'));
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /There is no run 9999/);
  assert.ok(!fs.existsSync(path.join(dir, 'none')));
  const busy = path.join(dir, 'busy');
  fs.mkdirSync(busy);
  fs.writeFileSync(path.join(busy, 'keep.txt'), 'mine');
  const refused = await cli('runs', 'export', String(runId), '--out', busy);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /is not empty/);
  assert.deepEqual(fs.readdirSync(busy), ['keep.txt']);
  assert.doesNotMatch(refused.stderr, /at .*\.ts:\d+/, 'no stack trace');
});
