import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { importDataset } from '../../src/ingest/load.js';
import { detectMovieLensLayout, readMovieLens } from '../../src/ingest/movielens.js';
import { ImportError, RowProblems, StrictImportError, describeProblem } from '../../src/ingest/problems.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { ML100K_RATINGS, fingerprint, ratingsByExternalId, tempDir, writeMovieLens100k, writeMovieLensLatest } from './fixtures.js';

let db: TestDatabase;
let folder: { dir: string; remove(): void };
before(async () => {
  db = await createTestDatabase('ingest_ml');
});
after(async () => {
  await db.drop();
});
beforeEach(async () => {
  folder?.remove();
  folder = tempDir('movielens-');
  await db.store.pool.query('TRUNCATE ratings, users, products RESTART IDENTITY CASCADE; DELETE FROM store_settings');
});
after(() => folder?.remove());

async function importFolder(options: { ratingsFile?: string; strict?: boolean } = {}) {
  const problems = new RowProblems({ strict: options.strict });
  const { layout, dataset } = readMovieLens(folder.dir, { ratingsFile: options.ratingsFile, problems });
  const result = await importDataset(db.store, dataset, { problems });
  return { layout, result, problems: problems.sample.map(describeProblem) };
}

test('100K layout: users, movies with latin1 titles, first genre as category, ratings with their time', async () => {
  writeMovieLens100k(folder.dir);
  const { layout, result, problems } = await importFolder();
  assert.equal(layout, '100k');
  assert.deepEqual(problems, []);
  assert.deepEqual([result.users.inserted, result.products.inserted, result.ratings.inserted], [3, 3, 5]);
  const products = await db.store.pool.query(`SELECT external_id, name, category, attributes FROM products ORDER BY id`);
  assert.deepEqual(products.rows, [
    {
      external_id: '1',
      name: 'Toy Story (1995)',
      category: 'Animation',
      attributes: { genres: ['Animation', "Children's", 'Comedy'], releaseDate: '1995-01-01', url: 'http://example.org/toy' },
    },
    {
      external_id: '2',
      name: 'GoldenEye (1995)',
      category: 'Action',
      attributes: { genres: ['Action', 'Adventure', 'Thriller'], releaseDate: '1995-01-01', url: 'http://example.org/ge' },
    },
    { external_id: '3', name: 'Café au lait (1994)', category: 'Comedy', attributes: { genres: ['Comedy'], url: 'http://example.org/cafe' } },
  ]);
  const user = await db.store.pool.query(`SELECT attributes FROM users WHERE external_id = '3'`);
  assert.deepEqual(user.rows[0].attributes, { age: 23, gender: 'M', occupation: 'writer', zip: 'T8H1N' });
  assert.deepEqual(await ratingsByExternalId(db.store.pool), ['1:1=5', '1:2=3', '2:1=4', '2:3=2', '3:2=1']);
  const time = await db.store.pool.query(
    `SELECT r.created_at FROM ratings r JOIN users u ON u.id = r.user_id WHERE u.external_id = '1' ORDER BY r.product_id LIMIT 1`,
  );
  assert.equal(time.rows[0].created_at.getTime(), 874965758 * 1000);
});

test('100K layout: importing twice is idempotent, and a changed rating file updates values', async () => {
  writeMovieLens100k(folder.dir);
  await importFolder();
  const before = await fingerprint(db.store.pool);
  const again = await importFolder();
  assert.deepEqual(await fingerprint(db.store.pool), before);
  assert.deepEqual([again.result.ratings.inserted, again.result.ratings.updated, again.result.ratings.unchanged], [0, 0, 5]);

  writeMovieLens100k(folder.dir, { ratings: ['1\t1\t2\t874965758', ...ML100K_RATINGS.slice(1), '3\t3\t4\t889751712'] });
  const changed = await importFolder();
  assert.deepEqual([changed.result.ratings.inserted, changed.result.ratings.updated, changed.result.ratings.unchanged], [1, 1, 4]);
  assert.deepEqual(await ratingsByExternalId(db.store.pool), ['1:1=2', '1:2=3', '2:1=4', '2:3=2', '3:2=1', '3:3=4']);
});

test('100K layout: bad rows are reported with file and line and skipped', async () => {
  writeMovieLens100k(folder.dir, {
    items: ['1|Toy Story (1995)|01-Jan-1995||u|0|0|0|1|1|1|0|0|0|0|0|0|0|0|0|0|0|0|0', '2|Broken|x'],
    users: ['1|24|M|technician|85711', '2|old|F|other|94043'],
    ratings: [
      '1\t1\t5\t874965758',
      '1\t1\t5',
      '',
      '1\t1\tfive\t874965758',
      '1\t1\t7\t874965758',
      '9\t1\t3\t874965758',
      '1\t2\t3\t874965758',
      `${'x'.repeat(129)}\t1\t3\t874965758`,
      '1\t1\t4\tyesterday',
    ],
  });
  const { result, problems } = await importFolder();
  assert.deepEqual(problems, [
    'u.user line 2: age must be a whole number, got "old"',
    'u.item line 2: expected 24 fields separated by "|" (id|title|release date|video date|URL|19 genre flags), got 3',
    'u.data line 2: expected 4 tab-separated fields (user id, item id, rating, timestamp), got 3',
    'u.data line 4: rating must be a number, got "five"',
    'u.data line 5: rating must be between 1 and 5, got 7',
    'u.data line 8: user id must be at most 128 characters, got 129',
    'u.data line 9: timestamp must be whole seconds since 1970, got "yesterday"',
    'u.data line 6: unknown user "9"',
    'u.data line 7: unknown product "2"',
  ]);
  assert.equal(result.ratings.inserted, 1);
  assert.equal(result.ratings.read, 8, 'the empty line is not a row');
  assert.equal(result.ratings.skipped, 7);
  assert.equal(result.users.skipped, 1);
  assert.equal(result.products.skipped, 1);
});

test('100K layout: --strict aborts at the first bad row and writes nothing', async () => {
  writeMovieLens100k(folder.dir);
  await importFolder();
  const before = await fingerprint(db.store.pool);
  writeMovieLens100k(folder.dir, { ratings: ['1\t1\t4\t874965758', '2\t2\t4\t874965758', '1\t3\t0\t874965758'] });
  await assert.rejects(importFolder({ strict: true }), (error: unknown) => {
    assert.ok(error instanceof StrictImportError);
    assert.match(error.message, /u\.data line 3: rating must be between 1 and 5, got 0/);
    return true;
  });
  assert.deepEqual(await fingerprint(db.store.pool), before);
});

test('100K layout: a named ratings file, and without u.user the raters are created', async () => {
  writeMovieLens100k(folder.dir, { users: null, ratingsFile: 'u1.base', ratings: ['5\t1\t4\t874965758', '6\t2\t3\t874965758'] });
  const { result } = await importFolder({ ratingsFile: 'u1.base' });
  assert.equal(result.users.createdFromRatings, 2);
  assert.deepEqual(await ratingsByExternalId(db.store.pool), ['5:1=4', '6:2=3']);
});

test('100K layout: a missing ratings file is a clear error', async () => {
  writeMovieLens100k(folder.dir);
  assert.throws(
    () => readMovieLens(folder.dir, { ratingsFile: 'u9.base', problems: new RowProblems() }),
    (error: unknown) => error instanceof ImportError && error.message === `MovieLens ratings file not found: ${path.join(folder.dir, 'u9.base')}`,
  );
});

test('latest layout: quoted titles with commas, genre lists, half stars, users from ratings', async () => {
  writeMovieLensLatest(folder.dir);
  const { layout, result, problems } = await importFolder();
  assert.equal(layout, 'latest');
  assert.deepEqual(problems, []);
  assert.equal(result.users.createdFromRatings, 2);
  const products = await db.store.pool.query(`SELECT external_id, name, category, attributes FROM products ORDER BY id`);
  assert.deepEqual(products.rows, [
    { external_id: '1', name: 'Toy Story (1995)', category: 'Adventure', attributes: { genres: ['Adventure', 'Animation', 'Children', 'Comedy', 'Fantasy'] } },
    { external_id: '2', name: 'American President, The (1995)', category: 'Comedy', attributes: { genres: ['Comedy', 'Drama', 'Romance'] } },
    { external_id: '3', name: 'Crème brûlée, "the movie" (2001)', category: null, attributes: { genres: [] } },
  ]);
  assert.deepEqual(await ratingsByExternalId(db.store.pool), ['1:1=4', '1:2=3.5', '7:1=2.5', '7:3=5']);
});

test('latest layout: bad rows, including a rating below its scale, keep their line numbers', async () => {
  writeMovieLensLatest(folder.dir, {
    movies: ['1,Toy Story (1995),Animation', '2,"Multi', 'line title",Drama', '3,Too,many,fields', '4,"Broken "quote,Drama'],
    ratings: ['1,1,4.0,964982703', '1,2,0.25,964982703', '1,99,3,964982703', '1,1', '2,4,4.5,964982703'],
  });
  const { result, problems } = await importFolder();
  assert.deepEqual(problems, [
    // A quoted title may span lines in CSV, but a name may not hold a line break (src/store/rules.ts).
    'movies.csv line 4: product name must not contain control characters (found U+000A at position 5)',
    'movies.csv line 5: expected 3 fields (movieId,title,genres), got 4',
    'movies.csv line 6: Invalid Closing Quote: got "q" at line 6 instead of delimiter, record delimiter, trimable character (if activated) or comment',
    // The broken quote leaves the parser inside a quoted field until the end of the file.
    'movies.csv line 6: Quote Not Closed: the parsing is finished with an opening quote at line 6',
    'ratings.csv line 3: rating must be between 0.5 and 5, got 0.25',
    'ratings.csv line 5: expected 4 fields (userId,movieId,rating,timestamp), got 2',
    'ratings.csv line 4: unknown product "99"',
    'ratings.csv line 6: unknown product "4"',
  ]);
  assert.equal(result.products.inserted, 1);
  assert.deepEqual(await ratingsByExternalId(db.store.pool), ['1:1=4']);
});

test('latest layout: an unexpected header is refused before anything is written', async () => {
  writeMovieLensLatest(folder.dir);
  fs.writeFileSync(path.join(folder.dir, 'movies.csv'), 'id,name\n1,Toy Story\n');
  await assert.rejects(importFolder(), /movies\.csv: expected the header "movieId,title,genres", got "id,name"/);
  assert.equal((await fingerprint(db.store.pool)).products, 0);
});

test('a folder without MovieLens files is a clear error', () => {
  assert.throws(() => detectMovieLensLayout(folder.dir), /No MovieLens files in .*: expected u\.item and u\.data/);
  assert.throws(() => detectMovieLensLayout(path.join(folder.dir, 'nope')), /MovieLens folder not found/);
});
