// Visitors: ids the shop never created, from a browser's cookie. Their events make them; their lists
// follow those events at once; mergeVisitor hands their history to the account they sign in to. And
// client event ids, which make a retried recordEvents count once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startTestApi, retrainAndWait, codeOf, type TestApi } from '../helpers/api.js';
import { seedShop } from '../../src/ingest/synthetic.js';
import { importDataset } from '../../src/ingest/load.js';
import { readEventsCsvFile } from '../../src/ingest/events-csv.js';
import { RowProblems } from '../../src/ingest/problems.js';

let api: TestApi;
let backend: string;
before(async () => {
  api = await startTestApi();
  await seedShop(api.db.store, { users: 60, products: 40, ratings: 1200, seed: 21 });
  const run = await retrainAndWait(api, { epochs: 2, ensembleSize: 1, seed: 3 }, 'id status');
  assert.equal(run.status, 'SUCCEEDED');
  backend = await api.createKey('backend');
  // The popular ranking the service computed at start saw an empty shop.
  api.service.recommender.invalidate();
});
after(async () => api?.close());

const RECORD = `mutation($events: [EventInput!]!) { recordEvents(events: $events) }`;
const LIST = `query($id: ID!) { recommendations(userId: $id, first: 10) { product { id } reason } }`;
const productIds = async (n: number) =>
  (await api.db.store.pool.query<{ id: string }>('SELECT external_id AS id FROM products ORDER BY id LIMIT $1', [n])).rows.map((r) => r.id);
const eventsOf = async (userId: string) =>
  (await api.db.store.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM events e JOIN users u ON u.id = e.user_id WHERE u.external_id = $1', [userId]))
    .rows[0].n;

test('an id the shop never sent gets the popular list; popularProducts and trendingProducts need no user', async () => {
  const stranger = await api.gql(LIST, { id: 'cookie-never-seen' });
  assert.equal(stranger.errors, undefined);
  assert.equal(stranger.data.recommendations.length, 10);
  assert.ok(stranger.data.recommendations.every((r: { reason: string }) => r.reason === 'POPULAR'));
  // Answering did not make a user.
  assert.equal((await api.db.store.pool.query(`SELECT 1 FROM users WHERE external_id = 'cookie-never-seen'`)).rowCount, 0);

  const popular = await api.gql(`{ popularProducts(first: 10) { product { id } reason rank } }`, {}, false);
  assert.deepEqual(
    popular.data.popularProducts.map((r: { product: { id: string } }) => r.product.id),
    stranger.data.recommendations.map((r: { product: { id: string } }) => r.product.id),
  );
  const [category] = (await api.db.store.pool.query<{ category: string }>('SELECT category FROM products WHERE category IS NOT NULL LIMIT 1')).rows;
  const inCategory = await api.gql(`query($c: String) { popularProducts(category: $c, first: 5) { product { category } } }`, { c: category.category }, false);
  assert.ok(inCategory.data.popularProducts.length > 0);
  assert.ok(inCategory.data.popularProducts.every((r: { product: { category: string } }) => r.product.category === category.category));

  // The product everyone just viewed leads what is trending.
  const [, , hot] = await productIds(3);
  const views = Array.from({ length: 5 }, (_, k) => ({ userId: `trend-visitor-${k}`, productId: hot, type: 'VIEW' }));
  assert.equal((await api.gql(RECORD, { events: views }, backend)).data.recordEvents, 5);
  const trending = await api.gql(`{ trendingProducts(first: 5) { product { id } reason } }`, {}, false);
  assert.equal(trending.data.trendingProducts[0].product.id, hot);
  assert.equal(trending.data.trendingProducts[0].reason, 'TRENDING');

  const tooMany = await api.gql(`{ popularProducts(first: 101) { product { id } } }`, {}, false);
  assert.equal(codeOf(tooMany), 'BAD_USER_INPUT');
});

test("a visitor's events make the visitor, and three views personalize their next list at once", async () => {
  const viewed = await productIds(3);
  const visitor = 'cookie-5f2a';
  const events = viewed.map((productId) => ({ userId: visitor, productId, type: 'VIEW' }));
  assert.equal((await api.gql(RECORD, { events }, backend)).data.recordEvents, 3);
  const user = await api.gql(`query($id: ID!) { user(id: $id) { id visitor } }`, { id: visitor }, backend);
  assert.deepEqual(user.data.user, { id: visitor, visitor: true });

  const list = await api.gql(LIST, { id: visitor });
  assert.equal(list.data.recommendations.length, 10);
  assert.ok(
    list.data.recommendations.every((r: { reason: string }) => r.reason === 'FOLDED_IN'),
    JSON.stringify(list.data.recommendations),
  );
});

test('eventId: a call retried (without `at`) counts each event once, duplicates within a call too', async () => {
  const [a, b] = await productIds(2);
  const events = [
    { userId: 'retry-visitor', productId: a, type: 'VIEW', eventId: 'ev-1' },
    { userId: 'retry-visitor', productId: b, type: 'CART', eventId: 'ev-2' },
    { userId: 'retry-visitor', productId: b, type: 'CART', eventId: 'ev-2' },
  ];
  assert.equal((await api.gql(RECORD, { events }, backend)).data.recordEvents, 2);
  for (let retry = 0; retry < 3; retry++) assert.equal((await api.gql(RECORD, { events }, backend)).data.recordEvents, 0);
  assert.equal(await eventsOf('retry-visitor'), 2);
  // A new id is a new event, even for the same user, product and type.
  assert.equal((await api.gql(RECORD, { events: [{ ...events[0], eventId: 'ev-3' }] }, backend)).data.recordEvents, 1);

  const bad = await api.gql(RECORD, { events: [{ ...events[0], eventId: 'x'.repeat(129) }] }, backend);
  assert.equal(codeOf(bad), 'BAD_USER_INPUT');
  assert.match(bad.errors![0].message, /events\[0\]\.eventId must be at most 128 characters/);
});

test('mergeVisitor moves the history to the account, erases the visitor, and is safe to retry', async () => {
  const [a, b, c] = await productIds(3);
  const visitor = 'cookie-merge';
  await api.gql(
    RECORD,
    {
      events: [
        { userId: visitor, productId: a, type: 'VIEW', at: '2026-11-01T10:00:00Z' },
        { userId: visitor, productId: b, type: 'CART', at: '2026-11-01T10:01:00Z', eventId: 'merge-1' },
        { userId: 'account-1', productId: c, type: 'VIEW', at: '2026-11-01T09:00:00Z' },
      ],
    },
    backend,
  );
  // The account the shop creates at sign-up (it was a visitor of its own until now).
  await api.gql(`mutation { upsertUser(input: { id: "account-1", name: "Ann" }) { id } }`, {}, backend);
  const MERGE = `mutation($v: ID!, $u: ID!) { mergeVisitor(visitorId: $v, userId: $u) { id visitor } }`;

  const frontend = await api.gql(MERGE, { v: visitor, u: 'account-1' }, await api.createKey('frontend'));
  assert.equal(codeOf(frontend), 'FORBIDDEN');
  const noAccount = await api.gql(MERGE, { v: visitor, u: 'no-such-account' }, backend);
  assert.equal(codeOf(noAccount), 'NOT_FOUND');
  assert.equal(await eventsOf(visitor), 2);
  const account = await api.gql(MERGE, { v: 'account-1', u: visitor }, backend);
  assert.equal(codeOf(account), 'BAD_USER_INPUT');
  assert.match(account.errors![0].message, /not a visitor/);

  const merged = await api.gql(MERGE, { v: visitor, u: 'account-1' }, backend);
  assert.deepEqual(merged.data.mergeVisitor, { id: 'account-1', visitor: false });
  assert.equal(await eventsOf('account-1'), 3);
  assert.equal((await api.db.store.pool.query(`SELECT 1 FROM users WHERE external_id = $1`, [visitor])).rowCount, 0);
  // Retried: nothing more to move, the same answer.
  assert.deepEqual((await api.gql(MERGE, { v: visitor, u: 'account-1' }, backend)).data.mergeVisitor, merged.data.mergeVisitor);
  // The moved event kept its id: the browser retrying it counts nothing, and makes no visitor again.
  assert.equal(
    (await api.gql(RECORD, { events: [{ userId: visitor, productId: b, type: 'CART', at: '2026-11-01T10:01:00Z', eventId: 'merge-1' }] }, backend)).data
      .recordEvents,
    0,
  );
  // The account's list now leaves out nothing it did not buy, and follows its (three) views and cart.
  const list = await api.gql(LIST, { id: 'account-1' });
  assert.ok(list.data.recommendations.every((r: { reason: string }) => r.reason === 'FOLDED_IN'));
});

test('import events honours an event_id column: ids seen before are not imported again', async () => {
  const [a, b] = await productIds(2);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'event-ids-'));
  const file = path.join(dir, 'events.csv');
  try {
    fs.writeFileSync(file, ['event_id,user_id,product_id,type', `imp-1,importer,${a},view`, `imp-2,importer,${b},view`, `imp-2,importer,${b},view`].join('\n'));
    const first = await importDataset(api.db.store, readEventsCsvFile(file, { problems: new RowProblems() }));
    assert.equal(first.events.inserted, 2);
    // Without timestamps every row is stamped anew: only the ids keep the second import from counting them again.
    const again = await importDataset(api.db.store, readEventsCsvFile(file, { problems: new RowProblems() }));
    assert.equal(again.events.inserted, 0);
    assert.equal(await eventsOf('importer'), 2);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
