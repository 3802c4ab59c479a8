import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { importDataset } from '../../src/ingest/load.js';
import { ImportAbortedError, RowProblems, StrictImportError } from '../../src/ingest/problems.js';
import type { RatingRow } from '../../src/ingest/types.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { fingerprint, ratingsByExternalId } from './fixtures.js';

let db: TestDatabase;
before(async () => {
  db = await createTestDatabase('ingest_load');
});
after(async () => {
  await db.drop();
});

async function reset() {
  await db.store.pool.query('TRUNCATE ratings, users, products RESTART IDENTITY CASCADE');
}

test('creates the users and products that ratings mention, naming products "Product <id>"', async () => {
  await reset();
  const result = await importDataset(db.store, {
    ratings: [
      { userId: 'alice', productId: '42', value: 4, timestamp: new Date('2024-01-02T03:04:05Z') },
      { userId: 'bob', productId: '42', value: 2.5 },
      { userId: 'alice', productId: 'sku-7', value: 1 },
    ],
  });
  assert.equal(result.users.inserted, 2);
  assert.equal(result.users.createdFromRatings, 2);
  assert.equal(result.products.inserted, 2);
  assert.equal(result.ratings.inserted, 3);
  assert.equal(result.problems.count, 0);
  assert.deepEqual(await ratingsByExternalId(db.store.pool), ['alice:42=4', 'alice:sku-7=1', 'bob:42=2.5']);
  const { rows } = await db.store.pool.query(`SELECT external_id, name FROM products ORDER BY external_id`);
  assert.deepEqual(rows, [
    { external_id: '42', name: 'Product 42' },
    { external_id: 'sku-7', name: 'Product sku-7' },
  ]);
  const rated = await db.store.pool.query(
    `SELECT r.created_at FROM ratings r JOIN products p ON p.id = r.product_id JOIN users u ON u.id = r.user_id
     WHERE u.external_id = 'alice' AND p.external_id = '42'`,
  );
  assert.equal(rated.rows[0].created_at.toISOString(), '2024-01-02T03:04:05.000Z', 'the source timestamp is kept');
});

test('importing the same data twice changes nothing the second time', async () => {
  await reset();
  const dataset = () => ({
    users: [{ externalId: 'u1', name: 'Una', attributes: { age: 30 } }],
    products: [{ externalId: 'p1', name: 'Kettle', category: 'Kitchen', price: 19.99, attributes: { color: 'red' } }],
    ratings: [{ userId: 'u1', productId: 'p1', value: 4 }],
  });
  const first = await importDataset(db.store, dataset());
  const before = await fingerprint(db.store.pool);
  const second = await importDataset(db.store, dataset());
  assert.deepEqual(await fingerprint(db.store.pool), before);
  assert.deepEqual([first.users.inserted, first.products.inserted, first.ratings.inserted], [1, 1, 1]);
  assert.deepEqual(
    [second.users.unchanged, second.products.unchanged, second.ratings.unchanged, second.ratings.inserted, second.ratings.updated],
    [1, 1, 1, 0, 0],
  );
});

test('a re-import with changed values updates them, bumps updated_at and keeps fields it does not give', async () => {
  await reset();
  await importDataset(db.store, {
    users: [{ externalId: 'u1', name: 'Una', attributes: { age: 30, city: 'Oslo' } }],
    products: [{ externalId: 'p1', name: 'Kettle', category: 'Kitchen', price: 19.99 }],
    ratings: [
      { userId: 'u1', productId: 'p1', value: 4 },
      { userId: 'u1', productId: 'p2', value: 3 },
    ],
    createMissingProducts: true,
  });
  const stamp = async () =>
    (await db.store.pool.query(`SELECT r.value, r.updated_at FROM ratings r JOIN products p ON p.id = r.product_id WHERE p.external_id = 'p1'`)).rows[0];
  const old = await stamp();
  const result = await importDataset(db.store, {
    users: [{ externalId: 'u1', attributes: { age: 31 } }],
    products: [{ externalId: 'p1', name: 'Steel Kettle' }],
    ratings: [
      { userId: 'u1', productId: 'p1', value: 2 },
      { userId: 'u1', productId: 'p2', value: 3 },
    ],
  });
  assert.deepEqual([result.ratings.updated, result.ratings.unchanged, result.ratings.inserted], [1, 1, 0]);
  assert.deepEqual([result.users.updated, result.products.updated], [1, 1]);
  const now = await stamp();
  assert.equal(now.value, 2);
  assert.ok(now.updated_at > old.updated_at, 'updated_at moves forward');
  const user = (await db.store.pool.query(`SELECT name, attributes FROM users WHERE external_id = 'u1'`)).rows[0];
  assert.deepEqual(user, { name: 'Una', attributes: { age: 31, city: 'Oslo' } });
  const product = (await db.store.pool.query(`SELECT name, category, price FROM products WHERE external_id = 'p1'`)).rows[0];
  assert.deepEqual(product, { name: 'Steel Kettle', category: 'Kitchen', price: 19.99 });
});

test('a pair rated twice in one import keeps the last value', async () => {
  await reset();
  const result = await importDataset(db.store, {
    ratings: [
      { userId: 'a', productId: 'x', value: 1 },
      { userId: 'a', productId: 'x', value: 5 },
    ],
  });
  assert.equal(result.ratings.duplicates, 1);
  assert.deepEqual(await ratingsByExternalId(db.store.pool), ['a:x=5']);
});

test('bad rows are skipped and reported with their line; unknown users are bad rows when users are given', async () => {
  await reset();
  const problems = new RowProblems();
  const result = await importDataset(
    db.store,
    {
      users: [{ externalId: 'u1' }, { externalId: '' }],
      products: [
        { externalId: 'p1', name: 'Pen' },
        { externalId: 'p2', name: 'x'.repeat(300) },
      ],
      ratings: [
        { userId: 'u1', productId: 'p1', value: 4, line: 10 },
        { userId: 'u1', productId: 'p1', value: 9, line: 11 },
        { userId: 'ghost', productId: 'p1', value: 3, line: 12 },
        { userId: 'u1', productId: 'p1', value: 3.25, line: 13 },
        { userId: 'u1', productId: 'p1', value: 3, timestamp: new Date('nonsense'), line: 14 },
      ],
    },
    { problems },
  );
  assert.equal(result.ratings.inserted, 1);
  assert.equal(result.ratings.skipped, 4);
  assert.equal(result.users.skipped, 1);
  assert.equal(result.products.skipped, 1);
  assert.equal(result.problems.count, 6);
  const described = problems.sample.map((p) => `${p.file}:${p.line}: ${p.message}`);
  assert.deepEqual(described, [
    'users:2: user id must not be empty',
    'products:2: product name must be at most 256 characters, got 300',
    'ratings:11: rating must be between 1 and 5, got 9',
    'ratings:13: rating must be in steps of 0.5 from 1, got 3.25',
    'ratings:14: timestamp is not a valid date',
    'ratings:12: unknown user "ghost"',
  ]);
});

test('strict mode: the first bad row aborts and nothing is written', async () => {
  await reset();
  await importDataset(db.store, { ratings: [{ userId: 'a', productId: 'x', value: 3 }] });
  const before = await fingerprint(db.store.pool);
  await assert.rejects(
    importDataset(
      db.store,
      {
        ratings: [
          { userId: 'b', productId: 'y', value: 4 },
          { userId: 'a', productId: 'x', value: 5 },
          { userId: 'c', productId: 'z', value: 0 },
        ],
      },
      { problems: new RowProblems({ strict: true }) },
    ),
    (error: unknown) => error instanceof StrictImportError && /ratings line 3: rating must be between 1 and 5, got 0/.test(error.message),
  );
  assert.deepEqual(await fingerprint(db.store.pool), before);
});

function* ratingsThatFailAfter(count: number): Generator<RatingRow> {
  for (let i = 0; i < count; i++) yield { userId: `u${i % 50}`, productId: `p${i % 70}`, value: 1 + (i % 5) };
  throw new Error('disk read failed');
}

test('a failure while reading leaves the database as it was', async () => {
  await reset();
  await importDataset(db.store, { ratings: [{ userId: 'a', productId: 'x', value: 3 }] });
  const before = await fingerprint(db.store.pool);
  await assert.rejects(importDataset(db.store, { ratings: ratingsThatFailAfter(9000) }), /disk read failed/);
  assert.deepEqual(await fingerprint(db.store.pool), before);
});

test('a failure after users and products were written rolls all of it back', async () => {
  await reset();
  await importDataset(db.store, { ratings: [{ userId: 'a', productId: 'x', value: 3 }] });
  const before = await fingerprint(db.store.pool);
  await assert.rejects(
    importDataset(
      db.store,
      {
        users: [{ externalId: 'a', name: 'Changed' }, { externalId: 'new-user' }],
        products: [{ externalId: 'new-product', name: 'New' }],
        ratings: [{ userId: 'new-user', productId: 'new-product', value: 5 }],
      },
      {
        onProgress: (progress) => {
          if (progress.phase === 'apply' && progress.step === 'commit') throw new Error('connection lost before commit');
        },
      },
    ),
    /connection lost before commit/,
  );
  assert.deepEqual(await fingerprint(db.store.pool), before);
  // The pool is still usable afterwards.
  assert.equal((await db.store.pool.query('SELECT 1 AS one')).rows[0].one, 1);
});

test('aborting (Ctrl-C) rolls the import back', async () => {
  await reset();
  const before = await fingerprint(db.store.pool);
  const abort = new AbortController();
  await assert.rejects(
    importDataset(
      db.store,
      { ratings: ratingsThatFailAfter(20_000) },
      {
        signal: abort.signal,
        onProgress: (progress) => {
          if (progress.phase === 'read' && progress.rows >= 5000) abort.abort();
        },
      },
    ),
    ImportAbortedError,
  );
  assert.deepEqual(await fingerprint(db.store.pool), before);
});

test('reports progress while reading and for each write step', async () => {
  await reset();
  const events: string[] = [];
  const ratings = Array.from({ length: 12_000 }, (_, i) => ({ userId: `u${i % 100}`, productId: `p${Math.floor(i / 100)}`, value: 3 }));
  await importDataset(
    db.store,
    { ratings },
    {
      onProgress: (p) => events.push(p.phase === 'read' ? `read ${p.table} ${p.rows}/${p.totalRows}${p.finished ? ' done' : ''}` : `apply ${p.step}`),
    },
  );
  assert.deepEqual(events, [
    'read ratings 5000/12000',
    'read ratings 10000/12000',
    'read ratings 12000/12000 done',
    'apply analyze',
    'apply users',
    'apply products',
    'apply missing',
    'apply ratings',
    'apply events',
    'apply commit',
  ]);
});

test('backslashes, and tabs and newlines in attributes, survive the COPY; control characters in ids and names are refused', async () => {
  await reset();
  const name = 'back\\slash \\N, "quoted"';
  const attributes = { note: 'Tab\there, new\nline, quote " and \\ backslash' };
  const result = await importDataset(db.store, {
    users: [
      { externalId: 'we\\ird id', name, attributes },
      { externalId: 'tab\tid', name: 'x' },
      { externalId: 'nl', name: 'new\nline' },
    ],
    ratings: [{ userId: 'we\\ird id', productId: 'p', value: 3 }],
  });
  const { rows } = await db.store.pool.query(`SELECT external_id, name, attributes FROM users`);
  assert.deepEqual(rows, [{ external_id: 'we\\ird id', name, attributes }]);
  assert.equal(result.users.inserted, 1);
});
