import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { readRatingsCsvFile } from '../../src/ingest/csv.js';
import { importDataset } from '../../src/ingest/load.js';
import { RowProblems, describeProblem } from '../../src/ingest/problems.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { fingerprint, ratingsByExternalId, tempDir } from './fixtures.js';

let db: TestDatabase;
const folder = tempDir('csv-');
before(async () => {
  db = await createTestDatabase('ingest_csv');
});
after(async () => {
  await db.drop();
  folder.remove();
});
beforeEach(async () => {
  await db.store.pool.query('TRUNCATE ratings, users, products RESTART IDENTITY CASCADE');
});

async function importCsv(content: string, options: { strict?: boolean } = {}) {
  const file = path.join(folder.dir, 'ratings.csv');
  fs.writeFileSync(file, content);
  const problems = new RowProblems({ strict: options.strict });
  const result = await importDataset(db.store, readRatingsCsvFile(file, { problems }), { problems });
  return { result, problems: problems.sample.map(describeProblem) };
}

test('without a header: user, product, rating and an optional timestamp', async () => {
  const { result, problems } = await importCsv('u1,p1,4\nu1,"p,2",3.5,1700000000\nu2,p1,5,2024-03-01T12:00:00Z\n');
  assert.deepEqual(problems, []);
  assert.deepEqual([result.users.inserted, result.products.inserted, result.ratings.inserted], [2, 2, 3]);
  assert.deepEqual(await ratingsByExternalId(db.store.pool), ['u1:p,2=3.5', 'u1:p1=4', 'u2:p1=5']);
  const names = await db.store.pool.query(`SELECT name FROM products ORDER BY name`);
  assert.deepEqual(
    names.rows.map((r) => r.name),
    ['Product p,2', 'Product p1'],
  );
  const times = await db.store.pool.query(`SELECT r.created_at FROM ratings r JOIN users u ON u.id = r.user_id WHERE u.external_id = 'u2'`);
  assert.equal(times.rows[0].created_at.toISOString(), '2024-03-01T12:00:00.000Z');
});

test('with a header (BOM, CRLF, any column order, extra columns ignored)', async () => {
  const { result, problems } = await importCsv('\uFEFFrating,comment,productId,user_id\r\n4,"nice, really",p1,u1\r\n2,,p2,u1\r\n');
  assert.deepEqual(problems, []);
  assert.equal(result.ratings.inserted, 2);
  assert.deepEqual(await ratingsByExternalId(db.store.pool), ['u1:p1=4', 'u1:p2=2']);
});

test('bad rows are skipped with their line numbers; the rest is imported', async () => {
  const { result, problems } = await importCsv(
    ['user_id,product_id,rating,timestamp', 'u1,p1,4,1700000000', 'u1,p2', 'u1,p3,abc,1', 'u1,p4,6,1', ',p5,3,1', 'u1,p6,3,soon', 'u2,p1,1.5,'].join('\n'),
  );
  assert.deepEqual(problems, [
    'ratings.csv line 3: expected 4 fields as in the header, got 2',
    'ratings.csv line 4: rating must be a number, got "abc"',
    'ratings.csv line 5: rating must be between 1 and 5, got 6',
    'ratings.csv line 6: user id must not be empty',
    'ratings.csv line 7: timestamp must be seconds since 1970 or an ISO 8601 date, got "soon"',
  ]);
  assert.equal(result.ratings.inserted, 2);
  assert.equal(result.ratings.skipped, 5);
  assert.equal(result.ratings.read, 7);
});

test('--strict: the first bad row aborts and nothing is written', async () => {
  await importCsv('u1,p1,4\n');
  const before = await fingerprint(db.store.pool);
  await assert.rejects(importCsv('u1,p1,2\nu3,p9,5\nu1,p2,9\n', { strict: true }), /ratings\.csv line 3: rating must be between 1 and 5, got 9 \(strict mode/);
  assert.deepEqual(await fingerprint(db.store.pool), before);
});

test('--strict also stops at a line the parser cannot read', async () => {
  const before = await fingerprint(db.store.pool);
  await assert.rejects(importCsv('u1,p1,2\nu1,p2,3,4,5\n', { strict: true }), /ratings\.csv line 2: expected 3 or 4 fields/);
  await assert.rejects(importCsv('u1,p1,2\nu1,"p2,3\n', { strict: true }), /ratings\.csv line 2: Quote Not Closed/);
  assert.deepEqual(await fingerprint(db.store.pool), before);
});

test('a header without a rating column is refused', async () => {
  await assert.rejects(importCsv('user_id,product_id\nu1,p1\n'), /header "user_id,product_id" has no rating column/);
});

test('a missing file is a clear error', () => {
  assert.throws(() => readRatingsCsvFile(path.join(folder.dir, 'nope.csv'), { problems: new RowProblems() }), /Ratings file not found: .*nope\.csv/);
});
