import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { nodeArgs } from '../helpers/entry.js';
import { reapDeadRuns, requestRun, claimRun, HEARTBEAT_TIMEOUT_MS } from '../../src/training/registry.js';
import { dropOrphanedStaging, holdStagingLock } from '../../src/training/writeback.js';

let db: TestDatabase;
after(async () => db?.drop());

test('a run whose process was killed is marked failed, and a live one is left alone', async () => {
  db = await createTestDatabase('reap');
  const child = spawn(process.execPath, [...nodeArgs('test/training/fixtures/claim-and-hang.ts'), db.url], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = (await once(child.stdout, 'data')) as [Buffer];
  const runId = Number(/claimed (\d+)/.exec(line.toString())![1]);
  const running = await db.store.prisma.modelRun.findUniqueOrThrow({ where: { id: runId } });
  assert.equal(running.status, 'running');
  assert.match(running.worker!, new RegExp(`:${child.pid}$`));

  // While the process lives, its run is not reaped.
  assert.deepEqual(await reapDeadRuns(db.store.prisma), []);

  child.kill('SIGKILL');
  await once(child, 'exit');
  assert.deepEqual(await reapDeadRuns(db.store.prisma), [runId]);
  const reaped = await db.store.prisma.modelRun.findUniqueOrThrow({ where: { id: runId } });
  assert.equal(reaped.status, 'failed');
  assert.match(reaped.error!, /died/);
  assert.ok(reaped.finishedAt);
});

test('a run on another host is reaped once its heartbeat stops', async () => {
  const { run } = await requestRun(db.store.prisma, { trigger: 'schedule' });
  await claimRun(db.store.prisma, run.id, {});
  await db.store.prisma.modelRun.update({ where: { id: run.id }, data: { worker: 'other-host:1234' } });
  assert.deepEqual(await reapDeadRuns(db.store.prisma), []);
  const later = new Date(Date.now() + HEARTBEAT_TIMEOUT_MS + 1000);
  assert.deepEqual(await reapDeadRuns(db.store.prisma, later), [run.id]);
  const reaped = await db.store.prisma.modelRun.findUniqueOrThrow({ where: { id: run.id } });
  assert.equal(reaped.status, 'failed');
  assert.match(reaped.error!, /No heartbeat/);
});

test('a staging table whose run holds its staging lock is left alone by the reaper; once released it is dropped', async () => {
  const table = 'predictions_staging_77_0badf00d';
  await db.store.pool.query(`CREATE TABLE ${table} (user_id int)`);
  const exists = async () => (await db.store.pool.query('SELECT to_regclass($1) AS t', [table])).rows[0].t !== null;
  const release = await holdStagingLock(db.url, 77);
  try {
    assert.deepEqual(await dropOrphanedStaging(db.store.pool, new Set()), []);
    assert.ok(await exists(), 'a writer holds it: kept');
  } finally {
    await release();
  }
  assert.deepEqual(await dropOrphanedStaging(db.store.pool, new Set([77])), [], 'a running run keeps its tables');
  assert.deepEqual(await dropOrphanedStaging(db.store.pool, new Set()), [table]);
  assert.ok(!(await exists()));
});
