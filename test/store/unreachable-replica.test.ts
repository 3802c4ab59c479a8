// A replica in DATABASE_READ_URLS that cannot be reached: the service starts, says which replica it skips
// and why (without its password), and serves every read from the primary.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { captureLog, startTestApi } from '../helpers/api.js';
import { seedShop } from '../../src/ingest/synthetic.js';

test('an unreachable replica is skipped with a warning; reads are answered by the primary', async () => {
  const captured = captureLog();
  // Port 9 (discard) has no PostgreSQL: every connection is refused at once.
  const api = await startTestApi({ DATABASE_READ_URLS: 'postgresql://reader:s3cret-pass@127.0.0.1:9/shop' }, { log: captured.log });
  try {
    await seedShop(api.db.store, { users: 20, products: 15, ratings: 150, seed: 2 });
    api.service.recommender.invalidate();
    const { status, body } = await api
      .gql('{ products(first: 3) { totalCount } recommendations(userId: "user-01", first: 3) { reason } }')
      .then((r) => ({ status: r.status, body: r }));
    assert.equal(status, 200, JSON.stringify(body.errors));
    assert.equal(body.data.products.totalCount, 15);
    assert.equal(body.data.recommendations.length, 3);
    const warning = captured.lines().find((line) => line.msg === 'skipping the replica for serving reads');
    assert.ok(warning, captured.text());
    assert.match(String(warning.reason), /^unreachable: /);
    assert.doesNotMatch(captured.text(), /s3cret-pass/, 'the password never reaches the log');
  } finally {
    await api.close();
  }
});
