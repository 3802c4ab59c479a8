// The rating scale is the database's: set once, read by every process, a conflicting setting refused.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { startTestApi, codeOf, type TestApi } from '../helpers/api.js';
import { importDataset } from '../../src/ingest/load.js';
import { readMovieLens } from '../../src/ingest/movielens.js';
import { RowProblems } from '../../src/ingest/problems.js';
import { LiveRatingScale, RatingScaleConflict, readStoredScale, settleRatingScale } from '../../src/store/rating-scale.js';
import { tempDir, writeMovieLensLatest } from '../ingest/fixtures.js';

const cleanup: (() => Promise<unknown> | void)[] = [];
after(async () => {
  for (const step of cleanup.reverse()) await step();
});

async function database(): Promise<TestDatabase> {
  const db = await createTestDatabase('scale');
  cleanup.push(() => db.drop());
  return db;
}

function latestFolder(ratings: string[]): string {
  const folder = tempDir('latest-');
  cleanup.push(() => folder.remove());
  writeMovieLensLatest(folder.dir, { movies: ['1,Toy Story (1995),Animation', '2,Heat (1995),Action'], ratings });
  return folder.dir;
}

const importLatest = (db: TestDatabase, dir: string, scale?: { ratingMin: number; ratingMax: number; ratingStep: number }) =>
  importDataset(db.store, readMovieLens(dir, { problems: new RowProblems() }).dataset, { scale });

test('an import of MovieLens "latest" sets a new database to half stars; a service started later takes the scale from it', async () => {
  const db = await database();
  const result = await importLatest(db, latestFolder(['1,1,0.5,964982703', '1,2,4.5,964982703']));
  assert.equal(result.ratings.inserted, 2);
  assert.equal(result.problems.count, 0);
  assert.deepEqual(await readStoredScale(db.store.pool), { ratingMin: 0.5, ratingMax: 5, ratingStep: 0.5, source: 'import:MovieLens latest' });

  const api: TestApi = await startTestApi({}, { database: db });
  cleanup.push(() => api.close());
  const rated = await api.gql('mutation { upsertUser(input: { id: "9" }) { id } rateProduct(userId: "9", productId: "1", rating: 0.5) { value } }');
  assert.equal(rated.data.rateProduct.value, 0.5);
  const below = await api.gql('mutation { rateProduct(userId: "9", productId: "1", rating: 0.25) { value } }');
  assert.equal(codeOf(below), 'BAD_USER_INPUT');
  assert.match(below.errors![0].message, /between 0.5 and 5/);
});

test("a first start stores the default scale, which gives way to a format's while there are no ratings", async () => {
  const db = await database();
  assert.equal((await settleRatingScale(db.store.pool, {})).source, 'default');
  const live = new LiveRatingScale(db.store.pool, { ratingMin: 1, ratingMax: 5, ratingStep: 0.5 }, 0);
  await importLatest(db, latestFolder(['1,1,0.5,964982703']));
  assert.deepEqual(await live.get(), { ratingMin: 0.5, ratingMax: 5, ratingStep: 0.5 });
});

test('a setting that conflicts with the stored scale is refused with what to do, and the import writes nothing', async () => {
  const db = await database();
  await settleRatingScale(db.store.pool, { configured: { ratingMin: 1, ratingMax: 5, ratingStep: 0.5 } });
  await assert.rejects(importLatest(db, latestFolder(['1,1,0.5,964982703'])), (error: Error) => {
    assert.ok(error instanceof RatingScaleConflict);
    assert.match(
      error.message,
      /MovieLens latest ratings are 0.5 to 5 in steps of 0.5, but this database's ratings are 1 to 5 in steps of 0.5 \(set by config\)/,
    );
    return true;
  });
  assert.equal((await db.store.pool.query('SELECT count(*)::int AS n FROM products')).rows[0].n, 0);
  await assert.rejects(
    settleRatingScale(db.store.pool, { configured: { ratingMin: 0, ratingMax: 10, ratingStep: 1 } }),
    /ask for ratings 0 to 10 in steps of 1, but this database's ratings are 1 to 5 in steps of 0.5 \(set by config\)\. Unset those variables/,
  );
  // The same explicit scale again, or none, is fine.
  assert.equal((await settleRatingScale(db.store.pool, { configured: { ratingMin: 1, ratingMax: 5, ratingStep: 0.5 } })).ratingMin, 1);
  await assert.rejects(startTestApi({ RATING_MIN: '0.5' }, { database: db }), /ask for ratings 0.5 to 5/);
});
