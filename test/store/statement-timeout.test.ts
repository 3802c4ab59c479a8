// DATABASE_STATEMENT_TIMEOUT: a statement of the service's pool that runs longer is cancelled; long
// maintenance (the VACUUM after a swap) runs without it on a connection that gets it back afterwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createStore, withoutStatementTimeout } from '../../src/store/db.js';
import { createEmptyDatabase } from '../helpers/db.js';

test('a statement past the timeout is cancelled; withoutStatementTimeout lifts it for one piece of work only', async () => {
  const db = await createEmptyDatabase('timeout');
  const store = createStore(db.url, { max: 1, statementTimeoutMs: 300 });
  try {
    await assert.rejects(
      store.pool.query('SELECT pg_sleep(1)'),
      (error: Error & { code?: string }) => error.code === '57014' && /statement timeout/.test(error.message),
    );
    assert.deepEqual((await store.pool.query('SELECT 1 AS one')).rows, [{ one: 1 }], 'the pool goes on after a cancelled statement');
    await withoutStatementTimeout(store.pool, (client) => client.query('SELECT pg_sleep(0.6)'));
    // One connection in the pool: the same one, with its timeout back.
    await assert.rejects(store.pool.query('SELECT pg_sleep(1)'), (error: Error & { code?: string }) => error.code === '57014');
  } finally {
    await store.close();
    await db.drop();
  }
});
