// productsBoughtTogether / productsViewedTogether: what the same shoppers did close in time to a product.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApi, codeOf, type TestApi } from '../helpers/api.js';

let api: TestApi;
before(async () => {
  api = await startTestApi({ TOGETHER_WINDOW_HOURS: '24', TOGETHER_HALF_LIFE_MINUTES: '30' });
  const products = ['kettle', 'teapot', 'cups', 'filter', 'beans', 'mug', 'spoon', 'tray'];
  await api.gql(`mutation($p: [UpsertProductInput!]!) { upsertProducts(inputs: $p) }`, { p: products.map((id) => ({ id, name: id })) });
  const at = (hours: number) => new Date(Date.UTC(2026, 10, 1, 8) + hours * 3_600_000).toISOString();
  const events = [
    // Two shoppers bought a teapot minutes after the kettle; one bought cups twenty hours after it.
    { userId: 'ann', productId: 'kettle', type: 'PURCHASE', at: at(0) },
    { userId: 'ann', productId: 'teapot', type: 'PURCHASE', at: at(0.2) },
    { userId: 'ben', productId: 'kettle', type: 'PURCHASE', at: at(1) },
    { userId: 'ben', productId: 'teapot', type: 'PURCHASE', at: at(1.1) },
    { userId: 'cat', productId: 'kettle', type: 'PURCHASE', at: at(2) },
    { userId: 'cat', productId: 'cups', type: 'PURCHASE', at: at(22) },
    // Three days apart: not together.
    { userId: 'dan', productId: 'kettle', type: 'PURCHASE', at: at(3) },
    { userId: 'dan', productId: 'filter', type: 'PURCHASE', at: at(75) },
    // Looked at, not bought.
    { userId: 'eve', productId: 'kettle', type: 'VIEW', at: at(4) },
    { userId: 'eve', productId: 'beans', type: 'VIEW', at: at(4.1) },
    // The best seller: bought alone, by many.
    ...['f1', 'f2', 'f3', 'f4'].map((userId, k) => ({ userId, productId: 'mug', type: 'PURCHASE', at: at(10 + k) })),
  ];
  assert.equal((await api.gql(`mutation($e: [EventInput!]!) { recordEvents(events: $e) }`, { e: events })).data.recordEvents, events.length);
  api.service.recommender.invalidate();
});
after(async () => api?.close());

type Item = { product: { id: string }; reason: string; score: number; rank: number };
const together = async (field: string, productId: string, first = 5): Promise<Item[]> => {
  const { data, errors } = await api.gql(
    `query($p: ID!, $n: Int) { ${field}(productId: $p, first: $n) { product { id } reason score rank } }`,
    { p: productId, n: first },
    false,
  );
  assert.equal(errors, undefined, JSON.stringify(errors));
  return data[field];
};

test('bought together: the closest pairs first, far ones weaker, days apart not at all; then popular products', async () => {
  const list = await together('productsBoughtTogether', 'kettle');
  assert.deepEqual(
    list.map((r) => [r.product.id, r.reason]),
    [['teapot', 'BOUGHT_TOGETHER'], ['cups', 'BOUGHT_TOGETHER'], ['mug', 'POPULAR'], ...list.slice(3).map((r) => [r.product.id, 'POPULAR'])],
  );
  assert.equal(list.length, 5);
  assert.ok(!list.some((r) => ['kettle', 'filter'].includes(r.product.id) && r.reason === 'BOUGHT_TOGETHER'));
  assert.ok(!list.some((r) => r.product.id === 'kettle'));
  assert.deepEqual(
    list.map((r) => r.rank),
    [1, 2, 3, 4, 5],
  );
  // Two pairs of 12 and 6 minutes over four purchases of the kettle; one of 20 hours.
  assert.ok(Math.abs(list[0].score - (0.5 ** (12 / 30) + 0.5 ** (6 / 30)) / 4) < 1e-6, String(list[0].score));
  assert.ok(list[1].score < 0.001);
});

test('viewed together comes from views; an unavailable product is left out at once; a new pair counts', async () => {
  assert.deepEqual(
    (await together('productsViewedTogether', 'kettle', 1)).map((r) => [r.product.id, r.reason]),
    [['beans', 'VIEWED_TOGETHER']],
  );
  await api.gql(`mutation { upsertProduct(input: { id: "teapot", name: "teapot", available: false }) { id } }`);
  assert.equal((await together('productsBoughtTogether', 'kettle', 1))[0].product.id, 'cups');

  await api.gql(
    `mutation { recordEvents(events: [{ userId: "gus", productId: "spoon", type: PURCHASE }, { userId: "gus", productId: "tray", type: PURCHASE }]) }`,
  );
  assert.deepEqual(
    (await together('productsBoughtTogether', 'spoon', 1)).map((r) => [r.product.id, r.reason]),
    [['tray', 'BOUGHT_TOGETHER']],
  );
});

test('an unknown product is NOT_FOUND; first is 1 to 100', async () => {
  assert.equal(codeOf(await api.gql(`{ productsBoughtTogether(productId: "nothing") { rank } }`, {}, false)), 'NOT_FOUND');
  assert.equal(codeOf(await api.gql(`{ productsViewedTogether(productId: "kettle", first: 101) { rank } }`, {}, false)), 'BAD_USER_INPUT');
});
