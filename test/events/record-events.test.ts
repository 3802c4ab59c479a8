// Events through the API (recordEvents) and through the importer (import events).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startTestApi, codeOf, type TestApi } from '../helpers/api.js';
import { importDataset } from '../../src/ingest/load.js';
import { readEventsCsvFile } from '../../src/ingest/events-csv.js';
import { RowProblems } from '../../src/ingest/problems.js';

let api: TestApi;
before(async () => {
  api = await startTestApi();
  await api.gql(`mutation { a: upsertUser(input: { id: "ann" }) { id } b: upsertUser(input: { id: "ben" }) { id }
    p: upsertProduct(input: { id: "tea", name: "Tea" }) { id } q: upsertProduct(input: { id: "mug", name: "Mug" }) { id } }`);
});
after(async () => api?.close());

const RECORD = `mutation($events: [EventInput!]!) { recordEvents(events: $events) }`;
const eventCount = async () => (await api.db.store.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM events')).rows[0].n;

test('recordEvents writes every event, stamps the time when none is given and counts repeats once', async () => {
  const backend = await api.createKey('backend');
  const at = '2026-11-30T10:00:00.000Z';
  const events = [
    { userId: 'ann', productId: 'tea', type: 'VIEW', at },
    { userId: 'ann', productId: 'tea', type: 'PURCHASE', at, value: 2 },
    { userId: 'ben', productId: 'mug', type: 'CART' },
  ];
  const first = await api.gql(RECORD, { events }, backend);
  assert.equal(first.data.recordEvents, 3);
  // The same two stamped events again: kept once, not counted; the unstamped one is a new event.
  const again = await api.gql(RECORD, { events }, backend);
  assert.equal(again.data.recordEvents, 1);
  const { rows } = await api.db.store.pool.query(
    `SELECT u.external_id AS u, p.external_id AS p, e.type, e.value, e.occurred_at FROM events e
     JOIN users u ON u.id = e.user_id JOIN products p ON p.id = e.product_id ORDER BY e.id`,
  );
  assert.equal(rows.length, 4);
  assert.deepEqual(
    rows.slice(0, 2).map((r) => [r.u, r.p, r.type, r.value, r.occurred_at.toISOString()]),
    [
      ['ann', 'tea', 'view', null, at],
      ['ann', 'tea', 'purchase', 2, at],
    ],
  );
  assert.ok(Date.now() - rows[2].occurred_at.getTime() < 60_000);
});

test('recordEvents refuses the whole call, writing nothing: unknown products, bad times, over 1,000 events, a frontend key', async () => {
  const backend = await api.createKey('backend');
  const before = await eventCount();

  const unknown = await api.gql(
    RECORD,
    {
      events: [
        { userId: 'ann', productId: 'tea', type: 'VIEW' },
        { userId: 'zed', productId: 'nope', type: 'VIEW' },
      ],
    },
    backend,
  );
  assert.equal(codeOf(unknown), 'NOT_FOUND');
  assert.equal(unknown.status, 404);
  assert.match(unknown.errors![0].message, /no product with id "nope"/);
  // Not even the visitor the unknown user id would have made.
  assert.equal((await api.db.store.pool.query(`SELECT 1 FROM users WHERE external_id = 'zed'`)).rowCount, 0);

  const future = await api.gql(
    RECORD,
    { events: [{ userId: 'ann', productId: 'tea', type: 'VIEW', at: new Date(Date.now() + 86_400_000).toISOString() }] },
    backend,
  );
  assert.equal(codeOf(future), 'BAD_USER_INPUT');
  assert.match(future.errors![0].message, /events\[0\]\.at must not be in the future/);

  const tooMany = Array.from({ length: 1001 }, () => ({ userId: 'ann', productId: 'tea', type: 'VIEW' }));
  const refused = await api.gql(RECORD, { events: tooMany }, backend);
  assert.equal(codeOf(refused), 'BAD_USER_INPUT');
  assert.match(refused.errors![0].message, /at most 1000 events a call, got 1001/);

  const badType = await api.gql(RECORD, { events: [{ userId: 'ann', productId: 'tea', type: 'LIKE' }] }, backend);
  assert.equal(badType.status, 400);

  const frontend = await api.gql(RECORD, { events: [{ userId: 'ann', productId: 'tea', type: 'VIEW' }] }, await api.createKey('frontend'));
  assert.equal(codeOf(frontend), 'FORBIDDEN');

  assert.equal(await eventCount(), before);
  // 1,000 is allowed.
  const most = await api.gql(
    RECORD,
    { events: tooMany.slice(0, 1000).map((e, k) => ({ ...e, at: new Date(Date.UTC(2026, 0, 1, 0, 0, k)).toISOString() })) },
    backend,
  );
  assert.equal(most.data.recordEvents, 1000);
});

test('import events: one transaction, bad rows reported with line numbers, unknown users and products created, re-import adds nothing', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'events-'));
  const file = path.join(dir, 'events.csv');
  fs.writeFileSync(
    file,
    [
      'user_id,product_id,type,timestamp,value',
      'ann,tea,view,1700000000,',
      'ann,tea,purchase,1700000100,3',
      'newbie,kettle,cart,2024-03-01T12:00:00Z,',
      'ann,tea,like,1700000200,',
      'ann,tea,view,yesterday,',
      'ben,mug,view,1700000300,lots',
      '"",mug,view,1700000300,',
    ].join('\n'),
  );
  const before = await eventCount();
  const problems = new RowProblems();
  const result = await importDataset(api.db.store, readEventsCsvFile(file, { problems }), { problems });
  assert.deepEqual(result.events, { read: 7, skipped: 4, inserted: 3, duplicates: 0 });
  assert.deepEqual(
    result.problems.sample.map((p) => [p.line, p.message.split(',')[0]]),
    [
      [5, 'event type must be one of view'],
      [6, 'timestamp must be seconds since 1970 or an ISO 8601 date'],
      [7, 'value must be a number'],
      [8, 'user id must not be empty'],
    ].map(([line, message]) => [line, message]),
  );
  assert.equal(result.users.createdFromRatings, 1);
  assert.equal(result.products.createdFromRatings, 1);
  assert.equal(await eventCount(), before + 3);

  const again = await importDataset(api.db.store, readEventsCsvFile(file, { problems: new RowProblems() }));
  assert.equal(again.events.inserted, 0);
  assert.equal(again.events.duplicates, 3);

  // Strict: the first bad row refuses the file, nothing is written.
  await assert.rejects(
    importDataset(api.db.store, readEventsCsvFile(file, { problems: new RowProblems({ strict: true }) }), { problems: new RowProblems({ strict: true }) }),
    /line 5/,
  );
  assert.equal(await eventCount(), before + 3);
});

test('the popular ranking counts events as implied ratings: a product bought ranks above products only put in carts', async () => {
  // Events so far: ann bought tea (and viewed it); ben put a mug in his cart; newbie a kettle.
  await api.gql(`mutation { upsertUser(input: { id: "carol" }) { id } }`);
  api.service.recommender.invalidate();
  const { data } = await api.gql(`{ recommendations(userId: "carol", first: 3) { product { id } score reason } }`);
  // m = (5 + 3.8 + 3.8) / 3 = 4.2 over one pair a product (C = 1): tea (4.2 + 5) / 2, the others (4.2 + 3.8) / 2.
  assert.deepEqual(data.recommendations.map((r: { product: { id: string } }) => r.product.id)[0], 'tea');
  assert.ok(Math.abs(data.recommendations[0].score - 4.6) < 1e-5, String(data.recommendations[0].score));
  assert.ok(Math.abs(data.recommendations[1].score - 4.0) < 1e-5, String(data.recommendations[1].score));
  assert.ok(data.recommendations.every((r: { reason: string }) => r.reason === 'POPULAR'));
});
