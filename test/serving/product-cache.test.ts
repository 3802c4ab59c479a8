// The serving process's product cache against a real PostgreSQL: a copy is used
// only at the row version the database reports, a changed or unknown version is
// read again, a deleted product is left out, and the oldest entries make room.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { ProductCache, type ProductRef } from '../../src/serving/product-cache.js';

let db: TestDatabase;

before(async () => {
  db = await createTestDatabase('cache');
  await db.store.pool.query(`INSERT INTO products (external_id, name) SELECT 'p' || n, 'Product ' || n FROM generate_series(1, 5) n`);
});
after(async () => {
  await db?.drop();
});

/** Every product's (id, version) now, by external id. */
async function refs(): Promise<Map<string, ProductRef>> {
  const { rows } = await db.store.pool.query<ProductRef & { externalId: string }>(
    `SELECT id, xmin::text AS version, external_id AS "externalId" FROM products ORDER BY id`,
  );
  return new Map(rows.map(({ externalId, id, version }) => [externalId, { id, version }]));
}

/** Statements the cache sends while `fn` runs. */
async function counted<T>(fn: () => Promise<T>): Promise<{ result: T; statements: number }> {
  const { pool } = db.store;
  const original = pool.query.bind(pool);
  let statements = 0;
  pool.query = ((...args: Parameters<typeof original>) => {
    statements++;
    return original(...args);
  }) as typeof pool.query;
  try {
    return { result: await fn(), statements };
  } finally {
    pool.query = original;
  }
}

test('a product is read once, then served from memory at the same version', async () => {
  const cache = new ProductCache(db.store.pool);
  const current = [...(await refs()).values()];
  const first = await counted(() => cache.resolve(current));
  assert.equal(first.statements, 1);
  assert.deepEqual([...first.result.values()].map((p) => p.name).sort(), ['Product 1', 'Product 2', 'Product 3', 'Product 4', 'Product 5']);
  const again = await counted(() => cache.resolve(current));
  assert.equal(again.statements, 0);
  assert.equal(again.result.get(current[0].id), first.result.get(current[0].id), 'the same cached object');
});

test('a product updated since it was cached is read again; a deleted one is left out', async () => {
  const cache = new ProductCache(db.store.pool);
  await cache.resolve((await refs()).values());
  await db.store.pool.query(`UPDATE products SET name = 'Renamed' WHERE external_id = 'p2'`);
  const now = await refs();
  const p2 = now.get('p2')!;
  const read = await counted(() => cache.resolve(now.values()));
  assert.equal(read.statements, 1);
  assert.equal(read.result.get(p2.id)!.name, 'Renamed');
  assert.equal(read.result.get(now.get('p1')!.id)!.name, 'Product 1');

  await db.store.pool.query(`DELETE FROM products WHERE external_id = 'p5'`);
  const gone = now.get('p5')!;
  const result = await cache.resolve([{ id: gone.id, version: 'not cached' }, now.get('p1')!]);
  assert.equal(result.has(gone.id), false);
  assert.equal(result.get(now.get('p1')!.id)!.name, 'Product 1');
});

test('past its capacity the cache drops the entries refreshed longest ago', async () => {
  const cache = new ProductCache(db.store.pool, 2);
  const [a, b, c] = [...(await refs()).values()];
  await cache.resolve([a, b]);
  await cache.resolve([c]);
  assert.equal(cache.size, 2);
  assert.equal((await counted(() => cache.resolve([b, c]))).statements, 0, 'b and c are kept');
  assert.equal((await counted(() => cache.resolve([a]))).statements, 1, 'a was dropped');
});
