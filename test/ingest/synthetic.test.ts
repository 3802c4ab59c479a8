import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateSyntheticShop, mulberry32, seedShop } from '../../src/ingest/synthetic.js';
import { DEFAULT_SCALE, ratingProblem } from '../../src/store/validation.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { fingerprint } from './fixtures.js';

let db: TestDatabase;
before(async () => {
  db = await createTestDatabase('ingest_synth');
});
after(async () => {
  await db.drop();
});

const DEMO = { users: 200, products: 300, ratings: 8000, seed: 42 };

test('mulberry32 is deterministic and spread over [0, 1)', () => {
  const a = mulberry32(7);
  const b = mulberry32(7);
  const values = Array.from({ length: 10_000 }, () => a());
  assert.deepEqual(
    values.slice(0, 5),
    Array.from({ length: 5 }, () => b()),
  );
  assert.ok(values.every((v) => v >= 0 && v < 1));
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  assert.ok(Math.abs(mean - 0.5) < 0.02, `mean ${mean}`);
});

test('the same seed gives the same shop; another seed another one', () => {
  const first = generateSyntheticShop(DEMO);
  assert.deepEqual(generateSyntheticShop(DEMO), first);
  const other = generateSyntheticShop({ ...DEMO, seed: 43 });
  assert.notDeepEqual(other.ratings.slice(0, 50), first.ratings.slice(0, 50));
});

test('ratings are on the scale, once per (user, product), with skewed popularity', () => {
  const shop = generateSyntheticShop(DEMO);
  assert.equal(shop.users.length, 200);
  assert.equal(shop.products.length, 300);
  assert.equal(shop.ratings.length, 8000);
  for (const rating of shop.ratings) assert.equal(ratingProblem(rating.value, DEFAULT_SCALE), null, `${rating.value}`);
  const pairs = new Set(shop.ratings.map((r) => `${r.userId}|${r.productId}`));
  assert.equal(pairs.size, shop.ratings.length);

  const perProduct = new Map<string, number>();
  for (const r of shop.ratings) perProduct.set(r.productId, (perProduct.get(r.productId) ?? 0) + 1);
  const counts = [...perProduct.values()].sort((a, b) => b - a);
  const topTenth = counts.slice(0, 30).reduce((s, c) => s + c, 0);
  assert.ok(topTenth > 0.25 * shop.ratings.length, `the top 10% of products have ${topTenth} of 8000 ratings`);

  const values = new Set(shop.ratings.map((r) => r.value));
  assert.ok(values.size >= 7, 'ratings use most of the scale');
  const mean = shop.ratings.reduce((s, r) => s + r.value, 0) / shop.ratings.length;
  assert.ok(mean > 2.8 && mean < 4.2, `mean rating ${mean}`);
  for (const product of shop.products) {
    assert.ok(product.category && product.price && product.price > 0 && product.name.length > 0);
  }
});

test('categories can be named, and other scales are respected', () => {
  const scale = { ratingMin: 1, ratingMax: 10, ratingStep: 1 };
  const shop = generateSyntheticShop({ users: 20, products: 30, ratings: 500, seed: 1, categories: ['Tea', 'Coffee'], scale });
  assert.deepEqual(new Set(shop.products.map((p) => p.category)), new Set(['Tea', 'Coffee']));
  for (const rating of shop.ratings) assert.equal(ratingProblem(rating.value, scale), null, `${rating.value}`);
});

test('asking for more ratings than pairs is refused; a full matrix works', () => {
  assert.throws(() => generateSyntheticShop({ users: 2, products: 3, ratings: 7, seed: 1 }), /at most 6/);
  const full = generateSyntheticShop({ users: 4, products: 5, ratings: 20, seed: 3 });
  assert.equal(new Set(full.ratings.map((r) => `${r.userId}|${r.productId}`)).size, 20);
});

test('seedShop loads the demo shop quickly, and seeding again changes nothing', async () => {
  const started = performance.now();
  const result = await seedShop(db.store, DEMO);
  const seconds = (performance.now() - started) / 1000;
  assert.deepEqual([result.users.inserted, result.products.inserted, result.ratings.inserted], [200, 300, 8000]);
  assert.ok(seconds < 2, `seeding took ${seconds.toFixed(2)} s`);
  const before = await fingerprint(db.store.pool);
  const again = await seedShop(db.store, DEMO);
  assert.equal(again.ratings.unchanged, 8000);
  assert.deepEqual(await fingerprint(db.store.pool), before);
});
