// A shop with purchases and views and no ratings: a run learns from the events, is judged over each
// user's latest interactions against the whole catalog, and serves personalized lists that leave out
// what each shopper bought, at once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApi, retrainAndWait, type TestApi } from '../helpers/api.js';
import { importDataset } from '../../src/ingest/load.js';
import { generatePurchaseShop } from '../../src/ingest/synthetic-events.js';

let api: TestApi;
let run: any;
before(async () => {
  api = await startTestApi();
  const events = generatePurchaseShop({ users: 240, products: 120, purchasesPerUser: 12, segments: 6, seed: 5 });
  await importDataset(api.db.store, { events: { name: 'purchases', rows: events }, createMissingUsers: true, createMissingProducts: true });
  run = await retrainAndWait(api, { epochs: 12, ensembleSize: 1, seed: 1, validationFraction: 0.2 });
});
after(async () => api?.close());

test('with purchases only, the network beats popularity on NDCG@10 over the time split', () => {
  assert.equal(run.status, 'SUCCEEDED', JSON.stringify(run));
  const { catalog } = run.metrics;
  console.log(`# catalog metrics: ${JSON.stringify(catalog)}`);
  assert.equal(catalog.split, 'TIME');
  assert.ok(catalog.users >= 200, `users evaluated: ${catalog.users}`);
  assert.ok(catalog.network.ndcg > 1.5 * catalog.popularity.ndcg, `network ${catalog.network.ndcg} vs popularity ${catalog.popularity.ndcg}`);
  for (const value of Object.values(catalog.network)) assert.ok(typeof value === 'number' && value >= 0 && value <= 1);
});

test('recommendations are personalized and leave out what the user bought; a new purchase leaves at once, unless repurchasable', async () => {
  const backend = await api.createKey('backend');
  const query = `query($u: ID!) { recommendations(userId: $u, first: 10) { product { id } reason } }`;
  const list = async (user: string) => (await api.gql(query, { u: user }, backend)).data.recommendations as { product: { id: string }; reason: string }[];
  const { rows: bought } = await api.db.store.pool.query<{ id: string }>(
    `SELECT DISTINCT p.external_id AS id FROM events e JOIN users u ON u.id = e.user_id JOIN products p ON p.id = e.product_id WHERE u.external_id = 'u7' AND e.type = 'purchase'`,
  );
  const first = await list('u7');
  assert.equal(first.length, 10);
  assert.ok(first.every((r) => r.reason === 'PERSONALIZED'));
  const boughtIds = new Set(bought.map((r) => r.id));
  assert.deepEqual(
    first.filter((r) => boughtIds.has(r.product.id)),
    [],
  );

  // Bought now: gone from the next list (the matrix is not rewritten), which is still 10 long.
  const top = first[0].product.id;
  await api.gql(`mutation($e: [EventInput!]!) { recordEvents(events: $e) }`, { e: [{ userId: 'u7', productId: top, type: 'PURCHASE' }] }, backend);
  const second = await list('u7');
  assert.equal(second.length, 10);
  assert.ok(!second.some((r) => r.product.id === top));
  // A view does not take it out; a product bought again stays after a purchase.
  const next = second[0].product.id;
  await api.gql(`mutation { upsertProduct(input: { id: "${next}", name: "Refill", repurchasable: true }) { id } }`, {}, backend);
  await api.gql(`mutation($e: [EventInput!]!) { recordEvents(events: $e) }`, { e: [{ userId: 'u7', productId: next, type: 'PURCHASE' }] }, backend);
  assert.equal((await list('u7'))[0].product.id, next);
});

test('an unavailable product leaves every list at once and comes back when available again', async () => {
  const backend = await api.createKey('backend');
  const query = `query { recommendationsForUsers(userIds: ["u1", "u2", "u3", "nobody-new"], first: 5) { user { id } recommendations { product { id } } } }`;
  const lists = async () => (await api.gql(query, {}, backend)).data.recommendationsForUsers as { recommendations: { product: { id: string } }[] }[];
  await api.gql(`mutation { upsertUser(input: { id: "nobody-new" }) { id } }`, {}, backend);
  const before = await lists();
  const target = before[0].recommendations[0].product.id;
  await api.gql(`mutation { upsertProduct(input: { id: "${target}", name: "Sold out", available: false }) { id } }`, {}, backend);
  const during = await lists();
  for (const entry of during) {
    assert.equal(entry.recommendations.length, 5);
    assert.ok(!entry.recommendations.some((r) => r.product.id === target));
  }
  await api.gql(`mutation { upsertProduct(input: { id: "${target}", name: "Back", available: true }) { id } }`, {}, backend);
  assert.equal((await lists())[0].recommendations[0].product.id, target);
});

test('a shopper new since the run is ranked by the model at once (fold-in), close to what training learnt from the same history', async () => {
  const backend = await api.createKey('backend');
  const query = `query($u: ID!) { recommendations(userId: $u, first: 10) { product { id } reason } }`;
  const list = async (user: string) => (await api.gql(query, { u: user }, backend)).data.recommendations as { product: { id: string }; reason: string }[];
  const overlap = (a: { product: { id: string } }[], b: { product: { id: string } }[]) => a.filter((x) => b.some((y) => y.product.id === x.product.id)).length;
  // A copy of u11, who the run learnt: the same events, under a new id.
  const { rows } = await api.db.store.pool.query<{ productId: string; type: string; at: Date }>(
    `SELECT p.external_id AS "productId", e.type, e.occurred_at AS at FROM events e JOIN users u ON u.id = e.user_id JOIN products p ON p.id = e.product_id
     WHERE u.external_id = 'u11' ORDER BY e.occurred_at`,
  );
  const learnt = await list('u11');
  assert.ok(learnt.every((r) => r.reason === 'PERSONALIZED'));
  await api.gql('mutation { upsertUser(input: { id: "copy-of-u11" }) { id } }', {}, backend);
  const events = rows.map((r) => ({ userId: 'copy-of-u11', productId: r.productId, type: r.type.toUpperCase(), at: r.at.toISOString() }));
  // Two events (one product) are not enough: the popular ranking.
  await api.gql(`mutation($e: [EventInput!]!) { recordEvents(events: $e) }`, { e: events.slice(0, 2) }, backend);
  const popular = await list('copy-of-u11');
  assert.ok(popular.every((r) => r.reason === 'POPULAR'));

  await api.gql(`mutation($e: [EventInput!]!) { recordEvents(events: $e) }`, { e: events.slice(2) }, backend);
  const started = performance.now();
  const folded = await list('copy-of-u11');
  const ms = performance.now() - started;
  assert.ok(folded.every((r) => r.reason === 'FOLDED_IN'));
  const purchased = new Set(rows.filter((r) => r.type === 'purchase').map((r) => r.productId));
  assert.ok(!folded.some((r) => purchased.has(r.product.id)), 'what they bought is left out');
  console.log(
    `# the top 10 of u11 (trained on): ${overlap(folded, learnt)} of them in the fold-in list of its copy (first answer ${ms.toFixed(0)} ms), ${overlap(popular, learnt)} in the popular list`,
  );
  assert.ok(overlap(folded, learnt) >= overlap(popular, learnt) + 3, 'fold-in comes much closer to the trained list than popularity');
  assert.ok(overlap(folded, learnt) >= 5);
  // Asked again with nothing new: the fitted list is reused, the same.
  assert.deepEqual(await list('copy-of-u11'), folded);
});
