// Feature towers end to end: a run with `features: true` scores a product nobody has rated from its
// category, and ranks a shopper new since the run from their attributes, before they do anything.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApi, retrainAndWait, type TestApi } from '../helpers/api.js';
import { importDataset } from '../../src/ingest/load.js';
import { makeRng } from '../../src/model/rng.js';
import type { ProductRow, RatingRow, UserRow } from '../../src/ingest/types.js';

const TASTES = 4;
let api: TestApi;
let run: any;

// Shoppers of four occupations, each loving one category and disliking the others; one product of each
// category that nobody has rated yet.
before(async () => {
  api = await startTestApi();
  const rng = makeRng(21);
  const users: UserRow[] = Array.from({ length: 160 }, (_, u) => ({
    externalId: `u${u}`,
    attributes: { occupation: `job-${u % TASTES}`, age: 20 + (u % 40) },
  }));
  const products: ProductRow[] = Array.from({ length: 80 }, (_, i) => ({ externalId: `p${i}`, name: `P${i}`, category: `cat-${i % TASTES}` }));
  for (let c = 0; c < TASTES; c++) products.push({ externalId: `cold-${c}`, name: `Cold ${c}`, category: `cat-${c}` });
  const ratings: RatingRow[] = [];
  for (let u = 0; u < users.length; u++) {
    const seen = new Set<number>();
    while (seen.size < 16) seen.add(Math.floor(rng() * 80));
    for (const i of seen) ratings.push({ userId: `u${u}`, productId: `p${i}`, value: i % TASTES === u % TASTES ? 5 : 1 + Math.round(rng()) });
  }
  await importDataset(api.db.store, {
    users: { name: 'users', rows: users },
    products: { name: 'products', rows: products },
    ratings: { name: 'ratings', rows: ratings },
  });
  run = await retrainAndWait(api, { epochs: 25, ensembleSize: 2, seed: 4, validationFraction: 0.1, features: true }, 'id status error');
});
after(async () => api?.close());

test('a product nobody has rated is scored from its category, not only by the baseline', async () => {
  assert.equal(run.status, 'SUCCEEDED', JSON.stringify(run));
  const backend = await api.createKey('backend');
  const pairs = ['u0', 'u1', 'u2', 'u3'].flatMap((userId) => [0, 1, 2, 3].map((c) => ({ userId, productId: `cold-${c}` })));
  const scores = (await api.gql('query($p: [PairInput!]!) { scores(pairs: $p) }', { p: pairs }, backend)).data.scores as number[];
  console.log(`# cold products' scores (user × category): ${JSON.stringify(scores.map((s) => s.toFixed(2)))}`);
  for (let u = 0; u < TASTES; u++) {
    const row = scores.slice(u * TASTES, (u + 1) * TASTES);
    const own = row[u];
    // The baseline gives one user every cold product alike; the tokens tell them apart.
    for (let c = 0; c < TASTES; c++) if (c !== u) assert.ok(own > row[c] + 1, `u${u}: its category's cold product ${own} vs cat-${c}'s ${row[c]}`);
  }
  // And it is served: the user's own cold product is among their top 25 unrated products.
  const unrated = (await api.gql('query { unratedProductScores(userId: "u2", first: 25) { edges { node { product { id } } } } }', {}, backend)).data
    .unratedProductScores;
  assert.ok(
    unrated.edges.some((e: any) => e.node.product.id === 'cold-2'),
    JSON.stringify(unrated),
  );
});

test('a shopper new since the run is ranked from their attributes before doing anything, and by fold-in once they do', async () => {
  const backend = await api.createKey('backend');
  const query = `query($u: ID!) { recommendations(userId: $u, first: 10) { product { id category } reason } }`;
  const list = async (user: string) =>
    (await api.gql(query, { u: user }, backend)).data.recommendations as { product: { id: string; category: string }; reason: string }[];
  await api.gql('mutation { upsertUser(input: { id: "newcomer", attributes: { occupation: "job-3", age: 31 } }) { id } }', {}, backend);
  const fromAttributes = await list('newcomer');
  assert.equal(fromAttributes.length, 10);
  assert.ok(
    fromAttributes.every((r) => r.reason === 'FEATURES'),
    JSON.stringify(fromAttributes),
  );
  const own = fromAttributes.filter((r) => r.product.category === 'cat-3').length;
  assert.ok(own >= 8, `newcomer of job-3: ${own} of 10 from cat-3: ${JSON.stringify(fromAttributes)}`);

  // A shopper with no attribute the model knows keeps the popular ranking.
  await api.gql('mutation { upsertUser(input: { id: "stranger", attributes: { occupation: "astronaut" } }) { id } }', {}, backend);
  assert.ok((await list('stranger')).every((r) => r.reason === 'POPULAR'));

  // Three ratings: fitted from there (fold-in), starting from the attributes' vector.
  for (const p of ['p3', 'p7', 'p11']) await api.gql(`mutation { rateProduct(userId: "newcomer", productId: "${p}", rating: 5) { value } }`, {}, backend);
  const folded = await list('newcomer');
  assert.ok(
    folded.every((r) => r.reason === 'FOLDED_IN'),
    JSON.stringify(folded),
  );
  assert.ok(folded.filter((r) => r.product.category === 'cat-3').length >= 8, JSON.stringify(folded));
});
