// Visitor tokens: the shop's backend signs one for a shopper; the browser reads that shopper's lists and
// records their views with it, and nothing else.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApi, codeOf, type TestApi } from '../helpers/api.js';
import { VisitorTokens } from '../../src/access/visitor-tokens.js';
import { rateKey } from '../../src/api/rate-limit.js';
import type { Caller } from '../../src/access/roles.js';

let api: TestApi;
let backend: string;
before(async () => {
  api = await startTestApi();
  backend = await api.createKey('backend');
  await api.gql(
    `mutation { upsertProducts(inputs: [{ id: "tea", name: "Tea" }, { id: "mug", name: "Mug" }]) upsertUser(input: { id: "ann" }) { id } }`,
    {},
    backend,
  );
});
after(async () => api?.close());

const TOKEN = `mutation($u: ID!, $ttl: Int) { createVisitorToken(userId: $u, ttlSeconds: $ttl) }`;
const RECORD = `mutation($e: [EventInput!]!) { recordEvents(events: $e) }`;
const eventsOf = async (user: string) =>
  (await api.db.store.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM events e JOIN users u ON u.id = e.user_id WHERE u.external_id = $1', [user]))
    .rows[0].n;

test('signed, verified, expired, tampered, and rotated secrets', async () => {
  const old = await VisitorTokens.load(api.db.store.pool, ['old-secret-0123456789']);
  const rotated = await VisitorTokens.load(api.db.store.pool, ['new-secret-0123456789', 'old-secret-0123456789']);
  const dropped = await VisitorTokens.load(api.db.store.pool, ['new-secret-0123456789']);
  const token = old.sign('cookie-1', 60);
  assert.deepEqual(old.verify(token), { userId: 'cookie-1' });
  assert.deepEqual(rotated.verify(token), { userId: 'cookie-1' }, 'an old token still works while its secret is listed');
  assert.match((dropped.verify(token) as { refused: string }).refused, /not signed by this shop/);
  assert.deepEqual(dropped.verify(rotated.sign('cookie-1', 60)), { userId: 'cookie-1' }, 'the first secret signs');
  assert.match((old.verify(token, Date.now() + 61_000) as { refused: string }).refused, /expired/);
  const [prefix, payload, mac] = token.split('.');
  const forged = Buffer.from(JSON.stringify({ u: 'ann', exp: 4_000_000_000 })).toString('base64url');
  assert.match((old.verify(`${prefix}.${forged}.${mac}`) as { refused: string }).refused, /not signed/);
  assert.match((old.verify(`${prefix}.${payload}`) as { refused: string }).refused, /malformed/);
});

test("a browser with a token records its own visitor's views and reads its list; nothing of anyone else's", async () => {
  const token = (await api.gql(TOKEN, { u: 'cookie-1' }, backend)).data.createVisitorToken as string;
  assert.match(token, /^vt1\./);

  const views = [
    { userId: 'cookie-1', productId: 'tea', type: 'VIEW', eventId: 'c1-1' },
    { userId: 'cookie-1', productId: 'mug', type: 'WISHLIST', eventId: 'c1-2' },
  ];
  assert.equal((await api.gql(RECORD, { e: views }, token)).data.recordEvents, 2);
  assert.equal(await eventsOf('cookie-1'), 2);
  const list = await api.gql(`{ recommendations(userId: "cookie-1", first: 2) { product { id } } }`, {}, token);
  assert.equal(list.errors, undefined);

  const forOther = await api.gql(RECORD, { e: [{ userId: 'ann', productId: 'tea', type: 'VIEW' }, views[0]] }, token);
  assert.equal(codeOf(forOther), 'FORBIDDEN');
  assert.equal(forOther.status, 403);
  assert.match(forOther.errors![0].message, /for user "cookie-1", not "ann"/);
  const purchase = await api.gql(RECORD, { e: [{ userId: 'cookie-1', productId: 'tea', type: 'PURCHASE' }] }, token);
  assert.equal(codeOf(purchase), 'FORBIDDEN');
  assert.match(purchase.errors![0].message, /a purchase is the shop's backend's to record/);
  assert.equal(await eventsOf('ann'), 0);
  assert.equal(await eventsOf('cookie-1'), 2);

  for (const query of [
    `{ recommendations(userId: "ann") { rank } }`,
    `{ recommendationsForUsers(userIds: ["cookie-1", "ann"]) { recommendations { rank } } }`,
    `{ unratedProductScores(userId: "ann") { totalCount } }`,
    `{ score(userId: "ann", productId: "tea") }`,
    `{ scores(pairs: [{ userId: "ann", productId: "tea" }]) }`,
    `{ users(first: 1) { totalCount } }`,
    `mutation { upsertProduct(input: { id: "x", name: "x" }) { id } }`,
    `mutation { createVisitorToken(userId: "ann") }`,
  ]) {
    assert.equal(codeOf(await api.gql(query, {}, token)), 'FORBIDDEN', query);
  }
  // What needs no user stays open to it.
  assert.equal((await api.gql(`{ popularProducts(first: 1) { rank } }`, {}, token)).errors, undefined);
});

test('a token that is forged or expired is refused with 401, saying what to do; bad lifetimes and frontend keys are refused', async () => {
  const token = (await api.gql(TOKEN, { u: 'cookie-2' }, backend)).data.createVisitorToken as string;
  const forged = await api.gql(`{ popularProducts(first: 1) { rank } }`, {}, `${token.slice(0, -2)}xx`);
  assert.equal(forged.status, 401);
  assert.equal(codeOf(forged), 'UNAUTHENTICATED');
  const stored = await VisitorTokens.load(api.db.store.pool, []);
  const expired = stored.sign('cookie-2', 60, Date.now() - 3_600_000);
  const refused = await api.gql(`{ popularProducts(first: 1) { rank } }`, {}, expired);
  assert.equal(refused.status, 401);
  assert.match(refused.errors![0].message, /expired: ask the shop's backend for a new one/);

  assert.equal(codeOf(await api.gql(TOKEN, { u: 'cookie-2', ttl: 10 }, backend)), 'BAD_USER_INPUT');
  assert.equal(codeOf(await api.gql(TOKEN, { u: 'cookie-2' }, await api.createKey('frontend'))), 'FORBIDDEN');
  assert.equal(codeOf(await api.gql(TOKEN, { u: 'cookie-2' }, false)), 'UNAUTHENTICATED');
});

test('a visitor token is rate-limited as its user, wherever it is sent from', () => {
  const caller: Caller = { role: 'frontend', authenticated: true, keyId: null, label: 'visitor token', visitor: 'cookie-3' };
  assert.equal(rateKey(caller, '10.0.0.1'), 'visitor:cookie-3');
  assert.equal(rateKey(caller, '10.0.0.2'), 'visitor:cookie-3');
});
