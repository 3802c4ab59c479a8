// Attribution: each served list has an id; events sent with it count for the list in onlineMetrics when
// the list showed the product, within ATTRIBUTION_WINDOW_HOURS.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApi, codeOf, type TestApi } from '../helpers/api.js';
import { wilson } from '../../src/attribution/online-metrics.js';

const WINDOW_SECONDS = 3.6;
let api: TestApi;
before(async () => {
  api = await startTestApi({ ATTRIBUTION_WINDOW_HOURS: String(WINDOW_SECONDS / 3600) });
  await api.gql(`mutation { upsertProducts(inputs: [${['a', 'b', 'c', 'd', 'e'].map((id) => `{ id: "${id}", name: "${id}" }`).join(' ')}]) }`);
  // Something bought, so the popular list has an order.
  await api.gql(`mutation { recordEvents(events: [{ userId: "x", productId: "a", type: PURCHASE }, { userId: "y", productId: "b", type: PURCHASE }]) }`);
  api.service.recommender.invalidate();
});
after(async () => api?.close());

const RECORD = `mutation($e: [EventInput!]!) { recordEvents(events: $e) }`;
const METRICS = `query($from: DateTime!, $to: DateTime!, $g: OnlineGrouping) { onlineMetrics(from: $from, to: $to, groupBy: $g) {
  group lists impressions views carts purchases revenue clickThrough { value low high } conversion { value low high } } }`;
const span = { from: new Date(Date.now() - 3_600_000).toISOString(), to: new Date(Date.now() + 3_600_000).toISOString() };

test("a list's id on its items; the events sent with it count for it, once, within the window, on products it showed", async () => {
  const list = (await api.gql(`{ recommendations(userId: "ann", first: 3) { recommendationId position rank product { id } } }`, {}, false)).data
    .recommendations as { recommendationId: string; position: number; rank: number; product: { id: string } }[];
  assert.equal(list.length, 3);
  assert.equal(new Set(list.map((r) => r.recommendationId)).size, 1);
  assert.deepEqual(
    list.map((r) => r.position),
    [1, 2, 3],
  );
  const id = list[0].recommendationId;
  const shown = list[1].product.id;
  const notShown = ['a', 'b', 'c', 'd', 'e'].find((p) => !list.some((r) => r.product.id === p))!;
  const events = [
    { userId: 'ann', productId: shown, type: 'VIEW', recommendationId: id },
    { userId: 'ann', productId: shown, type: 'CART', recommendationId: id },
    { userId: 'ann', productId: shown, type: 'PURCHASE', value: 20, recommendationId: id },
    { userId: 'ann', productId: notShown, type: 'VIEW', recommendationId: id },
    { userId: 'ann', productId: shown, type: 'WISHLIST', recommendationId: 'not-one-of-ours' },
  ];
  assert.equal((await api.gql(RECORD, { e: events })).data.recordEvents, 5);
  // Another list, of no one: counted in its own group.
  await api.gql(`{ popularProducts(first: 2) { recommendationId } }`, {}, false);

  const answer = await api.gql(METRICS, { ...span, g: 'MODEL' });
  const byModel = answer.data.onlineMetrics;
  assert.deepEqual(
    byModel.map((m: { group: string; lists: number; impressions: number }) => [m.group, m.lists, m.impressions]),
    [['popular', 2, 5]],
  );
  const [popular] = byModel;
  assert.deepEqual([popular.views, popular.carts, popular.purchases, popular.revenue], [1, 1, 1, 20]);
  assert.equal(popular.clickThrough.value, 1 / 5);
  assert.ok(popular.clickThrough.low < 0.2 && popular.clickThrough.high > 0.2);
  const day = (await api.gql(METRICS, { ...span, g: 'DAY' })).data.onlineMetrics;
  assert.deepEqual(
    day.map((m: { group: string; views: number }) => [m.group, m.views]),
    [[new Date().toISOString().slice(0, 10), 1]],
  );

  // Past the window, a view from the list no longer counts.
  await new Promise((r) => setTimeout(r, WINDOW_SECONDS * 1000 + 200));
  await api.gql(RECORD, { e: [{ userId: 'ann', productId: list[0].product.id, type: 'VIEW', recommendationId: id }] });
  assert.equal((await api.gql(METRICS, span)).data.onlineMetrics[0].views, 1);
});

test('onlineMetrics is for backend keys; a bad span or recommendationId is BAD_USER_INPUT', async () => {
  assert.equal(codeOf(await api.gql(METRICS, span, await api.createKey('frontend'))), 'FORBIDDEN');
  assert.equal(codeOf(await api.gql(METRICS, { from: span.to, to: span.from })), 'BAD_USER_INPUT');
  const bad = await api.gql(RECORD, { e: [{ userId: 'ann', productId: 'a', type: 'VIEW', recommendationId: 'x'.repeat(40) }] });
  assert.equal(codeOf(bad), 'BAD_USER_INPUT');
});

test('the Wilson interval', () => {
  assert.deepEqual(wilson(0, 0), { value: 0, low: 0, high: 0 });
  const half = wilson(5, 10);
  assert.equal(half.value, 0.5);
  assert.ok(Math.abs(half.low - 0.2366) < 1e-3 && Math.abs(half.high - 0.7634) < 1e-3, JSON.stringify(half));
  assert.equal(wilson(0, 50).low, 0);
});
