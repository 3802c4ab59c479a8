// Serving end to end through the real HTTP server: the popular ranking before
// any training, then top-N, unrated scores, batches, neighbours and cold start
// from a model trained once for the file, and the refusals.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApi, codeOf, type TestApi } from '../helpers/api.js';
import { seedShop } from '../../src/ingest/synthetic.js';
import { Recommender } from '../../src/serving/recommender.js';
import { modelArtifacts } from '../../src/store/blob/index.js';
import { ActiveModel } from '../../src/serving/active-model.js';
import { logger } from '../../src/log.js';

let api: TestApi;
const TRAIN = { epochs: 4, batchSize: 256, seed: 11 };
/** The synthetic shop's user ids: user-001 … user-120. */
const uid = (n: number) => `user-${String(n).padStart(3, '0')}`;
const REC = 'product { id category } score rankScore rank reason';

before(async () => {
  api = await startTestApi();
  await seedShop(api.db.store, { users: 120, products: 90, ratings: 3000, seed: 5 });
});
after(async () => {
  await api?.close();
});

async function train(config: Record<string, unknown> = TRAIN, force = true): Promise<string> {
  const started = await api.gql(`mutation($c: TrainingConfigInput, $f: Boolean) { retrain(config: $c, force: $f) { id } }`, { c: config, f: force });
  assert.equal(started.errors, undefined, JSON.stringify(started.errors));
  const id = started.data.retrain.id;
  for (const deadline = Date.now() + 120_000; Date.now() < deadline; ) {
    const { data } = await api.gql(`query($id: ID!) { modelRun(id: $id) { status active error } }`, { id });
    if (!['QUEUED', 'RUNNING'].includes(data.modelRun.status)) {
      assert.equal(data.modelRun.status, 'SUCCEEDED', JSON.stringify(data.modelRun));
      api.service.activeModel.invalidate();
      return id;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`run ${id} did not finish`);
}

/**
 * The user's best unrated products straight from the matrix (by rank score), as the shop's ids, with the
 * score the API shows: the predicted rating, which the matrix keeps unclipped and the API clips to 1..5.
 */
async function expectedTop(userId: string, n: number, category: string | null = null): Promise<{ id: string; score: number }[]> {
  const { rows } = await api.db.store.pool.query(
    `SELECT p.external_id AS id, LEAST(5::real, GREATEST(1::real, m.rating)) AS score FROM predictions m
     JOIN users u ON u.id = m.user_id JOIN products p ON p.id = m.product_id
     WHERE u.external_id = $1 AND ($3::text IS NULL OR p.category = $3)
       AND NOT EXISTS (SELECT 1 FROM ratings r WHERE r.user_id = m.user_id AND r.product_id = m.product_id)
     ORDER BY m.score DESC, m.product_id DESC LIMIT $2`,
    [userId, n, category],
  );
  return rows;
}

async function ratedBy(userId: string): Promise<Set<string>> {
  const { rows } = await api.db.store.pool.query(
    'SELECT p.external_id AS id FROM ratings r JOIN users u ON u.id = r.user_id JOIN products p ON p.id = r.product_id WHERE u.external_id = $1',
    [userId],
  );
  return new Set(rows.map((r) => r.id));
}

async function recommend(userId: string, first = 10, category?: string) {
  const response = await api.gql(`query($u: ID!, $n: Int, $c: String) { recommendations(userId: $u, first: $n, category: $c) { ${REC} } }`, {
    u: userId,
    n: first,
    c: category ?? null,
  });
  assert.equal(response.errors, undefined, JSON.stringify(response.errors));
  return response.data.recommendations as { product: { id: string; category: string }; score: number; rankScore: number; rank: number; reason: string }[];
}

/** Every page of unratedProductScores, `first` at a time; `afterPage` runs between pages (to change things mid-way). */
async function allUnrated(userId: string, first: number, category?: string, afterPage?: (page: number, items: { id: string }[]) => Promise<void>) {
  const items: { id: string; score: number; rankScore: number; reason: string }[] = [];
  let after: string | null = null;
  let totalCount = -1;
  for (let page = 0; page < 1000; page++) {
    const response: any = await api.gql(
      `query($u: ID!, $n: Int, $a: String, $c: String) { unratedProductScores(userId: $u, first: $n, after: $a, category: $c) {
         edges { cursor node { product { id } score rankScore reason } } pageInfo { hasNextPage endCursor } totalCount } }`,
      { u: userId, n: first, a: after, c: category ?? null },
    );
    assert.equal(response.errors, undefined, JSON.stringify(response.errors));
    const connection = response.data.unratedProductScores;
    totalCount = connection.totalCount;
    items.push(...connection.edges.map((e: any) => ({ id: e.node.product.id, score: e.node.score, rankScore: e.node.rankScore, reason: e.node.reason })));
    if (!connection.pageInfo.hasNextPage) break;
    after = connection.pageInfo.endCursor;
    await afterPage?.(page, items);
  }
  return { items, totalCount };
}

/** Best first: by rank score (a popular list's is its score). */
function assertSortedBest(items: { rankScore: number }[]): void {
  for (let k = 1; k < items.length; k++) assert.ok(items[k - 1].rankScore >= items[k].rankScore, `not sorted at ${k}`);
}

test('before any training, everyone gets the popular ranking, minus what they rated', async () => {
  const recs = await recommend('user-001', 15);
  assert.equal(recs.length, 15);
  assert.ok(recs.every((r) => r.reason === 'POPULAR'));
  assert.deepEqual(
    recs.map((r) => r.rank),
    Array.from({ length: 15 }, (_, k) => k + 1),
  );
  assertSortedBest(recs);
  const rated = await ratedBy('user-001');
  assert.ok(recs.every((r) => !rated.has(r.product.id)));
  const { items, totalCount } = await allUnrated('user-001', 30);
  assert.equal(items.length, 90 - rated.size);
  assert.equal(totalCount, items.length);
  assert.deepEqual(
    items.slice(0, 15).map((i) => i.id),
    recs.map((r) => r.product.id),
  );
});

let firstRunId: string;

test('a trained model serves each user their best unrated products from the matrix', async () => {
  firstRunId = await train();
  for (const userId of ['user-001', 'user-007', 'user-042']) {
    const recs = await recommend(userId, 10);
    const expected = await expectedTop(userId, 10);
    assert.deepEqual(
      recs.map((r) => r.product.id),
      expected.map((e) => e.id),
    );
    recs.forEach((r, k) => {
      assert.equal(r.reason, 'PERSONALIZED');
      assert.equal(r.rank, k + 1);
      assert.equal(r.score, expected[k].score);
    });
    const rated = await ratedBy(userId);
    assert.ok(recs.every((r) => !rated.has(r.product.id)));
  }
  const category = (await recommend('user-003', 1))[0].product.category;
  const inCategory = await recommend('user-003', 5, category);
  assert.ok(inCategory.every((r) => r.product.category === category));
  assert.deepEqual(
    inCategory.map((r) => r.product.id),
    (await expectedTop('user-003', 5, category)).map((e) => e.id),
  );
});

test('a product the user rates leaves their recommendations and unrated scores at once', async () => {
  const [top] = await recommend('user-005', 3);
  const rated = await api.gql(`mutation { rateProduct(userId: "user-005", productId: "${top.product.id}", rating: 1) { value } }`);
  assert.equal(rated.errors, undefined);
  const after = await recommend('user-005', 10);
  assert.ok(!after.some((r) => r.product.id === top.product.id));
  const { items } = await allUnrated('user-005', 50);
  assert.ok(!items.some((i) => i.id === top.product.id));
});

test('a product changed after it was served is served as it is now, at once', async () => {
  const query = `query($u: ID!) { recommendations(userId: $u, first: 3) { product { id name category price } } }`;
  const before = (await api.gql(query, { u: 'user-006' })).data.recommendations;
  const { id, category } = before[0].product;
  const changed = await api.gql(`mutation($p: UpsertProductInput!) { upsertProduct(input: $p) { id } }`, {
    p: { id, name: 'Renamed after serving', category, price: 12.5 },
  });
  assert.equal(changed.errors, undefined, JSON.stringify(changed.errors));
  const after = (await api.gql(query, { u: 'user-006' })).data.recommendations;
  assert.deepEqual(after[0].product, { id, name: 'Renamed after serving', category, price: 12.5 });
  // The other products are served as they were, from memory: one statement for the whole query.
  assert.deepEqual(after.slice(1), before.slice(1));
  assert.equal(await api.countStatements(() => api.gql(query, { u: 'user-006' })), 1);
  // A batch sees the change too.
  const batch = await api.gql(`{ recommendationsForUsers(userIds: ["user-006", "user-007"], first: 3) { recommendations { product { id name } } } }`);
  assert.deepEqual(batch.data.recommendationsForUsers[0].recommendations[0].product, { id, name: 'Renamed after serving' });
});

test('products predicted above the top rating are shown at the top rating, in the order of their rank scores', async () => {
  // The matrix keeps unclipped predictions: three of user-010's products predicted above 5, the third
  // of them ranked first.
  const { pool } = api.db.store;
  const picked = (await expectedTop('user-010', 3)).map((e) => e.id);
  const ranks = [4.99, 4.98, 4.97];
  const ratings = [5.6, 5.3, 5.1];
  for (const [k, id] of [picked[2], picked[0], picked[1]].entries()) {
    await pool.query(
      `UPDATE predictions m SET score = $3, rating = $4 FROM users u, products p
       WHERE m.user_id = u.id AND m.product_id = p.id AND u.external_id = $1 AND p.external_id = $2`,
      ['user-010', id, ranks[k], ratings[k]],
    );
  }
  const recs = await recommend('user-010', 4);
  assert.deepEqual(
    recs.slice(0, 3).map((r) => r.product.id),
    [picked[2], picked[0], picked[1]],
  );
  assert.deepEqual(
    recs.slice(0, 3).map((r) => r.score),
    [5, 5, 5],
  );
  assert.deepEqual(
    recs.slice(0, 3).map((r) => r.rankScore),
    ranks,
  );
  assert.ok(recs[3].score <= 5);
  // Paged one at a time, the cursors follow the rank scores: no repeats, no gaps.
  const pages = await allUnrated('user-010', 1);
  assert.deepEqual(
    pages.items.slice(0, 3).map((i) => i.id),
    [picked[2], picked[0], picked[1]],
  );
  assert.equal(new Set(pages.items.map((i) => i.id)).size, pages.items.length);
  assert.equal(pages.items.length, pages.totalCount);
});

test('paging through unrated scores never repeats or skips a product, and stays in order', async () => {
  const rated = await ratedBy('user-009');
  const { items, totalCount } = await allUnrated('user-009', 7);
  assert.equal(items.length, 90 - rated.size);
  assert.equal(totalCount, items.length);
  assert.equal(new Set(items.map((i) => i.id)).size, items.length, 'no duplicates');
  assert.deepEqual(
    items.filter((i) => rated.has(i.id) || i.reason !== 'PERSONALIZED'),
    [],
  );
  assertSortedBest(items);
  const whole = await allUnrated('user-009', 100);
  assert.deepEqual(items, whole.items);
  // Within a category, too.
  const category = (await recommend('user-009', 1))[0].product.category;
  const paged = await allUnrated('user-009', 2, category);
  assert.deepEqual(
    paged.items.map((i) => i.id),
    (await expectedTop('user-009', 1000, category)).map((e) => e.id),
  );
});

test('a product added after training is served at the baseline score, in order, on every page', async () => {
  const created = await api.gql(`mutation { upsertProduct(input: { id: "p-new", name: "Brand new", category: "Books" }) { id } }`);
  assert.equal(created.errors, undefined, JSON.stringify(created.errors));
  const model = (await api.service.activeModel.get())!;
  const expectedScore = Math.fround(model.baseline.predict(model.userIndex.get('user-011')!, -1));
  const { items, totalCount } = await allUnrated('user-011', 6);
  const found = items.filter((i) => i.id === 'p-new');
  assert.equal(found.length, 1);
  assert.equal(Math.fround(found[0].score), expectedScore);
  assertSortedBest(items);
  assert.equal(totalCount, items.length);
  assert.equal(new Set(items.map((i) => i.id)).size, items.length);
  // It ranks where its score puts it in recommendations too.
  const position = items.findIndex((i) => i.id === 'p-new');
  const recs = await recommend('user-011', Math.min(100, position + 1));
  assert.equal(recs.at(-1)!.product.id, 'p-new');
  // Rated, it goes away like any other.
  await api.gql(`mutation { rateProduct(userId: "user-011", productId: "p-new", rating: 4) { value } }`);
  assert.ok(!(await allUnrated('user-011', 100)).items.some((i) => i.id === 'p-new'));
});

test('a user the model has not seen gets the popular ranking, minus what they rated', async () => {
  await api.gql(`mutation { upsertUser(input: { id: "u-new", name: "New" }) { id } }`);
  // A fresh snapshot, so that both lists below come from it (it is kept for 5 s).
  api.service.recommender.popular.invalidate();
  const recs = await recommend('u-new', 10);
  assert.equal(recs.length, 10);
  assert.ok(recs.every((r) => r.reason === 'POPULAR'));
  assertSortedBest(recs);
  await api.gql(`mutation { rateProduct(userId: "u-new", productId: "${recs[0].product.id}", rating: 5) { value } }`);
  const after = await recommend('u-new', 10);
  assert.ok(after.every((r) => r.reason === 'POPULAR'));
  assert.ok(!after.some((r) => r.product.id === recs[0].product.id));
  assert.deepEqual(
    after.slice(0, 9).map((r) => r.product.id),
    recs.slice(1).map((r) => r.product.id),
  );
  const { items, totalCount } = await allUnrated('u-new', 8);
  assert.equal(totalCount, items.length);
  assert.equal(new Set(items.map((i) => i.id)).size, items.length);
  assertSortedBest(items);
});

test('paging through a popular list neither skips nor repeats while the ranking is recomputed', async () => {
  await api.gql(`mutation { upsertUser(input: { id: "u-pager", name: "Pager" }) { id } }`);
  await api.gql(`mutation { upsertUser(input: { id: "u-harsh", name: "Harsh" }) { id } }`);
  const unchanged = await allUnrated('u-pager', 100);
  // After each page, another user gives one star to the next page's first products (they fall
  // below the cursor) and the ranking is recomputed at once: every score moves with the prior.
  const { items, totalCount } = await allUnrated('u-pager', 7, undefined, async (page, seen) => {
    if (page > 3) return;
    const next = unchanged.items.slice(seen.length, seen.length + 3);
    for (const { id } of next) {
      const rated = await api.gql(`mutation { rateProduct(userId: "u-harsh", productId: "${id}", rating: 1) { value } }`);
      assert.equal(rated.errors, undefined, JSON.stringify(rated.errors));
    }
    api.service.recommender.popular.invalidate();
  });
  assert.ok(items.every((i) => i.reason === 'POPULAR'));
  assert.equal(new Set(items.map((i) => i.id)).size, items.length, 'a product came twice');
  assert.deepEqual(new Set(items.map((i) => i.id)), new Set(unchanged.items.map((i) => i.id)));
  assert.equal(items.length, totalCount);
});

test('recommendationsForUsers answers in the order asked, batched, and refuses over 1,000 users', async () => {
  const ids = ['user-030', 'u-new', 'user-002', 'user-030', 'user-017'];
  const response = await api.gql(`query($ids: [ID!]!) { recommendationsForUsers(userIds: $ids, first: 3) { user { id } recommendations { ${REC} } } }`, {
    ids,
  });
  assert.equal(response.errors, undefined, JSON.stringify(response.errors));
  assert.deepEqual(
    response.data.recommendationsForUsers.map((r: any) => r.user.id),
    ids,
  );
  for (const entry of response.data.recommendationsForUsers) {
    if (entry.user.id === 'u-new') continue;
    assert.deepEqual(
      entry.recommendations.map((r: any) => r.product.id),
      (await expectedTop(entry.user.id, 3)).map((e) => e.id),
    );
  }
  const many = Array.from({ length: 1001 }, (_, k) => `user-${k + 1}`);
  assert.equal(codeOf(await api.gql(`query($ids: [ID!]!) { recommendationsForUsers(userIds: $ids) { user { id } } }`, { ids: many })), 'BAD_USER_INPUT');
  const missing = await api.gql(`{ recommendationsForUsers(userIds: ["user-001", "nobody"]) { user { id } } }`);
  assert.equal(codeOf(missing), 'NOT_FOUND');
  assert.match(missing.errors![0].message, /nobody/);
});

test('a batch split over several statements ranks every user exactly as one statement does', async () => {
  const ids = [...Array.from({ length: 120 }, (_, k) => uid(k + 1)), 'u-new', 'nobody'];
  const request = { externalIds: ids, limit: 4, category: null, after: null };
  // Both instances then rank u-new from the same, fresh popular ranking.
  api.service.recommender.invalidate();
  const whole = await api.service.recommender.rank(request);
  const split = new Recommender(api.db.store.pool, api.service.activeModel, { ratingMin: 1, ratingMax: 5 }, logger, { usersPerStatement: 7 });
  let parts: typeof whole | undefined;
  const statements = await api.countStatements(async () => {
    parts = await split.rank(request);
  });
  assert.equal(whole.size, 121, 'every user but "nobody"');
  assert.ok(!whole.has('nobody'));
  // The same lists; the popular snapshot's version is each instance's own.
  const withoutVersion = (ranked: typeof whole) => new Map([...ranked].map(([id, { popularVersion, ...rest }]) => [id, rest]));
  assert.deepEqual(withoutVersion(parts!), withoutVersion(whole));
  // 120 users the model knows, 7 a statement: 18 statements, plus the popular ranking's for u-new.
  assert.ok(statements >= 18, `${statements} statements`);
  // One user alone takes the single-user form of the statement: the same lists.
  for (const id of ids.slice(0, 12)) {
    const alone = await api.service.recommender.rank({ ...request, externalIds: [id] });
    assert.deepEqual(alone.get(id), whole.get(id), id);
  }
});

test('rankings asked for by separate requests at the same moment share one statement, and each gets its own list', async () => {
  const ids = Array.from({ length: 12 }, (_, k) => uid(k + 1));
  const request = (id: string) => ({ externalIds: [id], limit: 5, category: null, after: null });
  const alone = new Map<string, unknown>();
  for (const id of ids) alone.set(id, (await api.service.recommender.rank(request(id))).get(id));
  let together: Map<string, unknown>[] = [];
  const statements = await api.countStatements(async () => {
    together = await Promise.all(ids.map((id) => api.service.recommender.rank(request(id))));
  });
  assert.equal(statements, 1);
  together.forEach((ranked, k) => {
    assert.deepEqual([...ranked.keys()], [ids[k]]);
    assert.deepEqual(ranked.get(ids[k]), alone.get(ids[k]), ids[k]);
  });
});

test('a page of users with their recommendations takes a handful of statements, not one per user', async () => {
  const query = `{ users(first: 50) { edges { node { id recommendations(first: 5) { ${REC} } } } } }`;
  await api.gql(query); // warm the model and listings
  let response: any;
  const statements = await api.countStatements(async () => {
    response = await api.gql(query);
  });
  assert.equal(response.errors, undefined, JSON.stringify(response.errors));
  assert.equal(response.data.users.edges.length, 50);
  // Some synthetic shoppers have rated nearly everything: they get what is left.
  const { rows } = await api.db.store.pool.query(
    `SELECT u.external_id AS id, (SELECT count(*) FROM products) - count(r.product_id) AS unrated
     FROM users u LEFT JOIN ratings r ON r.user_id = u.id GROUP BY u.id`,
  );
  const unrated = new Map(rows.map((r) => [r.id, r.unrated]));
  for (const { node } of response.data.users.edges) assert.equal(node.recommendations.length, Math.min(5, unrated.get(node.id)), node.id);
  assert.ok(statements <= 4, `${statements} statements`);
  const batch = await api.countStatements(() =>
    api.gql(
      `{ recommendationsForUsers(userIds: ["user-001","user-002","user-003","user-004","user-005","user-006","user-007","user-008"], first: 10) { user { id name } recommendations { ${REC} } } }`,
    ),
  );
  assert.ok(batch <= 2, `${batch} statements`);
});

async function similar(kind: 'Products' | 'Users', id: string, first = 10) {
  const arg = kind === 'Products' ? 'productId' : 'userId';
  const node = kind === 'Products' ? 'product' : 'user';
  const response = await api.gql(`query($id: ID!, $n: Int) { similar${kind}(${arg}: $id, first: $n) { ${node} { id } similarity } }`, { id, n: first });
  assert.equal(response.errors, undefined, JSON.stringify(response.errors));
  return (response.data[`similar${kind}`] as any[]).map((s) => ({ id: s[node].id as string, similarity: s.similarity as number }));
}

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let k = 0; k < a.length; k++) {
    dot += a[k] * b[k];
    na += a[k] ** 2;
    nb += b[k] ** 2;
  }
  return dot / Math.sqrt(na * nb);
}

test('similar products and users: by cosine of the embeddings, self excluded, best first', async () => {
  const model = (await api.service.activeModel.get())!;
  for (const [kind, id, tower, index] of [
    ['Products', 'product-04', 'item', model.productIndex],
    ['Users', 'user-004', 'user', model.userIndex],
  ] as const) {
    const found = await similar(kind, id, 8);
    assert.equal(found.length, 8);
    assert.ok(!found.some((s) => s.id === id));
    assert.ok(found.every((s) => s.similarity >= -1 && s.similarity <= 1));
    assertSortedBest(found.map((s) => ({ rankScore: s.similarity })));
    // The mean of the cosines in each network's embedding space (one network unless an ensemble).
    const tables = model.model.members.map((m) => ({ table: m[tower].embeddings.dataSync() as Float32Array, dim: m[tower].dim }));
    const similarity = (a: number, b: number) =>
      tables.reduce((sum, { table, dim }) => sum + cosine(table.subarray(a * dim, (a + 1) * dim), table.subarray(b * dim, (b + 1) * dim)), 0) / tables.length;
    const self = index.get(id)!;
    const all = [...index.entries()].filter(([other]) => other !== id).map(([other, i]) => ({ id: other, similarity: similarity(self, i) }));
    all.sort((a, b) => b.similarity - a.similarity);
    assert.deepEqual(
      found.map((s) => s.id),
      all.slice(0, 8).map((s) => s.id),
    );
    found.forEach((s, k) => assert.ok(Math.abs(s.similarity - all[k].similarity) < 1e-5));
  }
  // Nothing to compare for what the model has not seen.
  assert.deepEqual(await similar('Products', 'p-new'), []);
  assert.deepEqual(await similar('Users', 'u-new'), []);
});

test('serving follows the active model when another run becomes active', async () => {
  const before = { recs: await recommend('user-020', 5), users: await similar('Users', 'user-020', 5) };
  const secondRunId = await train({ ...TRAIN, seed: 99, embeddingDim: 16 });
  assert.notEqual(secondRunId, firstRunId);
  const second = { recs: await recommend('user-020', 5), users: await similar('Users', 'user-020', 5) };
  assert.deepEqual(
    second.recs.map((r) => r.product.id),
    (await expectedTop('user-020', 5)).map((e) => e.id),
  );
  assert.notDeepEqual(second.users, before.users);
  const activated = await api.gql(`mutation($id: ID!) { activateModel(id: $id) { id active } }`, { id: firstRunId });
  assert.equal(activated.errors, undefined, JSON.stringify(activated.errors));
  const back = { recs: await recommend('user-020', 5), users: await similar('Users', 'user-020', 5) };
  assert.deepEqual(
    back.recs.map((r) => r.product.id),
    (await expectedTop('user-020', 5)).map((e) => e.id),
  );
  assert.deepEqual(back.users, before.users);
});

test('while a new model loads, every caller waits for it rather than getting the old one', async () => {
  // The active run is read at once (a stand-in for the query); its artifacts then load from disk.
  const run = await api.db.store.prisma.modelRun.findFirst({ where: { active: true }, select: { id: true, artifactHash: true } });
  assert.ok(run);
  const prisma = { modelRun: { findFirst: async () => run } } as unknown as typeof api.db.store.prisma;
  const active = new ActiveModel(prisma, 'wasm', logger, modelArtifacts(api.db.store.pool, fs.mkdtempSync(path.join(os.tmpdir(), 'models-'))));
  try {
    const first = active.get();
    // A few turns of the event loop: the run id is read, the files are not yet.
    for (let k = 0; k < 5; k++) await Promise.resolve();
    const second = await active.get();
    assert.ok(second, 'the second caller got the model being loaded, not the previous (none)');
    assert.equal(second, await first);
  } finally {
    active.close();
  }
});

test('unknown ids are NOT_FOUND (but for recommendations: a visitor) and out-of-range arguments BAD_USER_INPUT', async () => {
  const visitor = await api.gql('{ recommendations(userId: "nobody") { rank reason } }');
  assert.equal(visitor.errors, undefined);
  assert.ok(visitor.data.recommendations.length > 0 && visitor.data.recommendations.every((r: { reason: string }) => r.reason === 'POPULAR'));
  assert.equal(codeOf(await api.gql('{ recommendationsForUsers(userIds: ["nobody"]) { recommendations { rank } } }')), 'NOT_FOUND');
  assert.equal(codeOf(await api.gql('{ unratedProductScores(userId: "nobody") { totalCount } }')), 'NOT_FOUND');
  assert.equal(codeOf(await api.gql('{ similarProducts(productId: "nothing") { similarity } }')), 'NOT_FOUND');
  assert.equal(codeOf(await api.gql('{ similarUsers(userId: "nobody") { similarity } }')), 'NOT_FOUND');
  assert.equal(codeOf(await api.gql('{ recommendations(userId: "user-001", first: 0) { rank } }')), 'BAD_USER_INPUT');
  assert.equal(codeOf(await api.gql('{ recommendations(userId: "user-001", first: 101) { rank } }')), 'BAD_USER_INPUT');
  assert.equal(codeOf(await api.gql('{ recommendations(userId: "") { rank } }')), 'BAD_USER_INPUT');
  assert.equal(codeOf(await api.gql('{ users(first: 2) { edges { node { recommendations(first: 500) { rank } } } } }')), 'BAD_USER_INPUT');
  assert.equal(codeOf(await api.gql('{ unratedProductScores(userId: "user-001", first: 101) { totalCount } }')), 'BAD_USER_INPUT');
  assert.equal(codeOf(await api.gql('{ unratedProductScores(userId: "user-001", after: "bogus") { totalCount } }')), 'BAD_USER_INPUT');
  const userCursor = (await api.gql('{ users(first: 1) { pageInfo { endCursor } } }')).data.users.pageInfo.endCursor;
  assert.equal(codeOf(await api.gql(`{ unratedProductScores(userId: "user-001", after: "${userCursor}") { totalCount } }`)), 'BAD_USER_INPUT');
  assert.equal(codeOf(await api.gql('{ similarUsers(userId: "user-001", first: 1000) { similarity } }')), 'BAD_USER_INPUT');
});

test('too deep or too costly requests are refused whole, with a coded error', async () => {
  const deep = await api.gql(
    `{ users { edges { node { ratings { edges { node { product { ratings { edges { node { user { ratings { edges { node { value } } } } } } } } } } } } } } }`,
  );
  assert.equal(codeOf(deep), 'GRAPHQL_VALIDATION_FAILED');
  assert.match(deep.errors![0].message, /deep/);
  const ids = Array.from({ length: 1000 }, (_, k) => uid((k % 120) + 1));
  const costly = await api.gql(
    `query($ids: [ID!]!) { recommendationsForUsers(userIds: $ids, first: 100) { user { ratings(first: 100) { edges { node { value } } } } recommendations { rank } } }`,
    { ids },
  );
  assert.equal(codeOf(costly), 'GRAPHQL_VALIDATION_FAILED');
  assert.match(costly.errors![0].message, /at most 100,000/);
  assert.equal(costly.data, undefined);
  // The batch the frontend needs is within the limits.
  const fine = await api.gql(
    `query($ids: [ID!]!) { recommendationsForUsers(userIds: $ids, first: 10) { user { id name } recommendations { rank score reason product { id name category price } } } }`,
    { ids },
  );
  assert.equal(fine.errors, undefined, JSON.stringify(fine.errors));
  assert.equal(fine.data.recommendationsForUsers.length, 1000);
  // Introspection (Apollo Sandbox) is not limited by depth.
  const introspection = await api.gql(
    `{ __schema { types { fields { type { ofType { ofType { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } } } }`,
  );
  assert.equal(introspection.errors, undefined);
});

test('the warm-up prepares the serving statements on every connection of the pool', async () => {
  await train();
  const pool = api.db.store.pool;
  const { prepared, users } = await api.service.recommender.warmUp();
  assert.equal(prepared, pool.options.max);
  assert.ok(users.length > 100, `${users.length} of the model's users, for the warm-up requests`);
  // Idle connections are handed out again: all of them at once are the ones the warm-up used.
  const clients = await Promise.all(Array.from({ length: pool.options.max! }, () => pool.connect()));
  try {
    for (const client of clients) {
      const { rows } = await client.query<{ name: string }>('SELECT name FROM pg_prepared_statements');
      const names = new Set(rows.map((r) => r.name));
      for (const name of ['personalized-001', 'personalized-000', 'personalized-011', 'personalized-100', 'cold-users', 'unrated-count'])
        assert.ok(names.has(name), `${name} on every connection: ${[...names]}`);
    }
  } finally {
    for (const client of clients) client.release();
  }
});
