// `npm run cli -- worker`: a trainer without the API trains what an API-only instance queued, and stops on SIGTERM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestDatabase } from '../helpers/db.js';
import { freePort, until } from '../helpers/process.js';
import { CLI, ROOT } from '../helpers/cli.js';
import { seedShop } from '../../src/ingest/synthetic.js';
import { requestRun } from '../../src/training/registry.js';

test('the worker trains a queued run, serves health and metrics only, and exits 0 on SIGTERM', async () => {
  const db = await createTestDatabase('worker');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'worker-'));
  const port = await freePort();
  let log = '';
  const child = spawn(process.execPath, [...CLI, 'worker', '--port', String(port)], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: db.url,
      ADMIN_TOKEN: 'worker-test-token-0123',
      DATA_DIR: path.join(dir, 'data'),
      MODELS_DIR: path.join(dir, 'models'),
      HOST: '127.0.0.1',
      RETRAIN_CRON: 'off',
      LOG_LEVEL: 'info',
    },
  });
  child.stdout.on('data', (chunk) => (log += chunk));
  child.stderr.on('data', (chunk) => (log += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  try {
    await seedShop(db.store, { users: 30, products: 20, ratings: 500, seed: 9 });
    await until(
      'the worker is ready',
      60,
      async () => ((await fetch(`http://127.0.0.1:${port}/readyz`)).ok ? true : undefined),
      () => log,
    );
    // As an API-only instance queues it (or the run the worker queued itself on seeing ratings and no model).
    const { run } = await requestRun(db.store.prisma, { trigger: 'admin', force: true, config: { epochs: 2, ensembleSize: 1 } });
    const done = await until(
      'the run trained by the worker',
      90,
      async () => {
        const row = await db.store.prisma.modelRun.findUniqueOrThrow({ where: { id: run.id } });
        return ['queued', 'running'].includes(row.status) ? undefined : row;
      },
      () => log,
    );
    // Trained to the end (the gate may reject a network on so little data), by the worker's process.
    assert.ok(['succeeded', 'rejected'].includes(done.status), `${done.status}: ${done.error}`);
    assert.equal(done.worker?.split(':')[1], String(child.pid));
    const graphql = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query":"{ __typename }"}',
    });
    assert.equal(graphql.status, 404);
    assert.match(((await graphql.json()) as { error: string }).error, /only trains/);
    child.kill('SIGTERM');
    assert.equal(await exited, 0, log);
  } finally {
    child.kill('SIGKILL');
    await db.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
