// Proves the hand-written migrations and schema.prisma agree: every model and
// every field goes through the generated client on a freshly migrated database.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { Prisma } from '../../src/store/generated/prisma/client.js';

let db: TestDatabase;
after(async () => db?.drop());

test('every model and field round-trips through the Prisma client', async () => {
  db = await createTestDatabase('schema');
  const { prisma } = db.store;

  const user = await prisma.user.create({ data: { externalId: 'u1', name: 'Ann', attributes: { age: 30 } } });
  const product = await prisma.product.create({
    data: { externalId: 'p1', name: 'Lamp', category: 'home', price: 12.5, attributes: { color: 'blue' } },
  });
  const rating = await prisma.rating.create({ data: { userId: user.id, productId: product.id, value: 4.5 } });
  assert.deepEqual(await prisma.user.findUniqueOrThrow({ where: { externalId: 'u1' }, include: { ratings: true } }), { ...user, ratings: [rating] });
  assert.deepEqual(await prisma.product.findUniqueOrThrow({ where: { id: product.id }, include: { ratings: true } }), {
    ...product,
    ratings: [rating],
  });
  assert.ok(user.createdAt instanceof Date && user.updatedAt instanceof Date);
  assert.deepEqual(user.attributes, { age: 30 });
  assert.equal(rating.value, 4.5);
  await assert.rejects(
    prisma.rating.create({ data: { userId: user.id, productId: product.id, value: 3 } }),
    (error: unknown) => error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002',
  );

  const now = new Date();
  const run = await prisma.modelRun.create({
    data: {
      status: 'running',
      trigger: 'admin',
      forced: true,
      config: { epochs: 3 },
      backend: 'wasm',
      dataCounts: { ratings: 1 },
      metrics: { network: { rmse: 1 } },
      history: [{ epoch: 1 }],
      phases: { load: 0.1 },
      progress: { phase: 'train' },
      artifactPath: '/tmp/x',
      active: true,
      matrix: { cells: 1 },
      reason: 'r',
      error: 'e',
      worker: 'host:1',
      heartbeatAt: now,
      startedAt: now,
      finishedAt: now,
    },
  });
  assert.deepEqual(await prisma.modelRun.findUniqueOrThrow({ where: { id: run.id } }), run);
  assert.equal(run.status, 'running');

  await prisma.prediction.create({ data: { userId: user.id, productId: product.id, score: 3.25, rating: 4.5 } });
  const [prediction] = await prisma.prediction.findMany({ where: { userId: user.id } });
  assert.deepEqual(prediction, { userId: user.id, productId: product.id, score: 3.25, rating: 4.5 });

  // Deleting a user cascades to the ratings.
  await prisma.user.delete({ where: { id: user.id } });
  assert.equal(await prisma.rating.count(), 0);
});
