// The popular ranking on a hand-made shop (no model trained): Bayesian
// averages worked out by hand, what a user rated left out at once, and paging.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApi, type TestApi } from '../../helpers/api.js';
import { bayesianRanking } from '../../../src/serving/sources/popular-ranking.js';

let api: TestApi;

// Ratings per product: A one 5; B four 4s; C two 3s and a 4; D none.
const RATINGS: [string, string, number][] = [
  ['alice', 'A', 5],
  ['alice', 'B', 4],
  ['bob', 'B', 4],
  ['carol', 'B', 4],
  ['dave', 'B', 4],
  ['bob', 'C', 3],
  ['carol', 'C', 3],
  ['dave', 'C', 4],
];

before(async () => {
  api = await startTestApi();
  const { pool } = api.db.store;
  await pool.query(`INSERT INTO users (external_id) SELECT unnest($1::text[])`, [['alice', 'bob', 'carol', 'dave', 'erin']]);
  await pool.query(`INSERT INTO products (external_id, name, category) SELECT id, 'Product ' || id, cat FROM unnest($1::text[], $2::text[]) AS t(id, cat)`, [
    ['A', 'B', 'C', 'D'],
    ['x', 'y', 'x', 'y'],
  ]);
  for (const [user, product, value] of RATINGS) {
    await pool.query(
      `INSERT INTO ratings (user_id, product_id, value) SELECT u.id, p.id, $3 FROM users u, products p WHERE u.external_id = $1 AND p.external_id = $2`,
      [user, product, value],
    );
  }
  // The service took its first snapshot of the ranking while it warmed up, before these rows: read it again.
  api.service.recommender.popular.invalidate();
});
after(async () => {
  await api?.close();
});

// m = 31 / 8 = 3.875; C = 8 ratings / 3 rated products.
const m = 31 / 8;
const C = 8 / 3;
const bayes = (n: number, sum: number) => Math.fround((C * m + sum) / (C + n));
const EXPECTED = [
  { id: 'A', score: bayes(1, 5) },
  { id: 'B', score: bayes(4, 16) },
  { id: 'D', score: bayes(0, 0) },
  { id: 'C', score: bayes(3, 10) },
].sort((a, b) => b.score - a.score);

test('the Bayesian average ranks by (C·m + Σr) / (C + n), worked out by hand', () => {
  // A: (8/3·3.875 + 5) / (11/3) = 4.1818…; B: (10.333… + 16) / (20/3) = 3.95; D: m = 3.875; C: 20.333… / 5.666… = 3.588…
  assert.deepEqual(
    EXPECTED.map((e) => e.id),
    ['A', 'B', 'D', 'C'],
  );
  const ranking = bayesianRanking(
    [
      { id: 1, category: 'x', n: 1, total: 5 },
      { id: 2, category: 'y', n: 4, total: 16 },
      { id: 3, category: 'x', n: 3, total: 10 },
      { id: 4, category: 'y', n: 0, total: 0 },
    ],
    3,
  );
  assert.deepEqual([...ranking.productIds], [1, 2, 4, 3]);
  assert.ok(Math.abs(ranking.scores[0] - 4.181818) < 1e-5);
  assert.equal(ranking.globalMean, m);
  assert.equal(ranking.priorWeight, C);
  // No ratings at all: every product at the middle of the scale, newest id first.
  assert.deepEqual(
    [
      ...bayesianRanking(
        [
          { id: 1, category: null, n: 0, total: 0 },
          { id: 2, category: null, n: 0, total: 0 },
        ],
        3,
      ).scores,
    ],
    [3, 3],
  );
});

async function recommend(user: string, extra = '') {
  const response = await api.gql(`{ recommendations(userId: "${user}"${extra}) { product { id } score rank reason } }`);
  assert.equal(response.errors, undefined, JSON.stringify(response.errors));
  return response.data.recommendations as { product: { id: string }; score: number; rank: number; reason: string }[];
}

test('with no model trained, everyone gets the popular ranking minus what they rated', async () => {
  const erin = await recommend('erin');
  assert.deepEqual(
    erin.map((r) => r.product.id),
    ['A', 'B', 'D', 'C'],
  );
  erin.forEach((r, k) => {
    assert.equal(r.reason, 'POPULAR');
    assert.equal(r.rank, k + 1);
    assert.equal(Math.fround(r.score), EXPECTED[k].score);
  });
  assert.deepEqual(
    (await recommend('alice')).map((r) => r.product.id),
    ['D', 'C'],
  );
  assert.deepEqual(
    (await recommend('bob')).map((r) => r.product.id),
    ['A', 'D'],
  );
  assert.deepEqual(
    (await recommend('erin', ', category: "y"')).map((r) => r.product.id),
    ['B', 'D'],
  );
  assert.deepEqual(
    (await recommend('erin', ', first: 2')).map((r) => r.product.id),
    ['A', 'B'],
  );
});

test('a rating counts at once, though the ranking itself is cached', async () => {
  const rated = await api.gql(`mutation { rateProduct(userId: "erin", productId: "A", rating: 1) { value } }`);
  assert.equal(rated.errors, undefined);
  assert.deepEqual(
    (await recommend('erin')).map((r) => r.product.id),
    ['B', 'D', 'C'],
  );
  // Recomputed (every few seconds; here at once), the new rating moves A below D.
  api.service.recommender.invalidate();
  assert.deepEqual(
    (await recommend('bob')).map((r) => r.product.id),
    ['D', 'A'],
  );
});

test('unrated scores page through the popular ranking without repeats or gaps', async () => {
  const seen: string[] = [];
  let after: string | null = null;
  for (;;) {
    const response: any = await api.gql(
      `query($a: String) { unratedProductScores(userId: "carol", first: 1, after: $a) { edges { node { product { id } score reason } } pageInfo { hasNextPage endCursor } totalCount } }`,
      { a: after },
    );
    assert.equal(response.errors, undefined, JSON.stringify(response.errors));
    const connection = response.data.unratedProductScores;
    assert.equal(connection.totalCount, 2);
    seen.push(...connection.edges.map((e: any) => e.node.product.id));
    if (!connection.pageInfo.hasNextPage) break;
    after = connection.pageInfo.endCursor;
  }
  // Erin's 1 for A is in the ranking now: m = 32/9, C = 3, A = (3·32/9 + 6) / 5 = 3.33 < D = m = 3.56.
  assert.deepEqual(seen, ['D', 'A']);
  // A product added now is served at once, at the prior mean m (no ratings yet).
  await api.gql(`mutation { upsertProduct(input: { id: "E", name: "Product E", category: "x" }) { id } }`);
  const withNew = await recommend('carol');
  assert.ok(withNew.some((r) => r.product.id === 'E'));
  assert.equal(withNew.length, 3);
});

test('similar products and users are empty before any training; the activeModel is null', async () => {
  const response = await api.gql(`{ similarProducts(productId: "A") { similarity } similarUsers(userId: "bob") { similarity } activeModel { id } }`);
  assert.deepEqual(response.data, { similarProducts: [], similarUsers: [], activeModel: null });
});
