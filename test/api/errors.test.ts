// Bad input is the client's fault and is coded as such (400 BAD_USER_INPUT,
// nothing written, nothing logged as an error); our own faults reach the client
// as a request id only, with the detail in the log under that id.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApi, captureLog, codeOf, type TestApi } from '../helpers/api.js';

let api: TestApi;
const captured = captureLog();
before(async () => {
  api = await startTestApi({}, { log: captured.log });
  await api.gql('mutation { upsertUser(input: { id: "alice" }) { id } upsertProduct(input: { id: "p1", name: "One" }) { id } }');
});
after(async () => api?.close());

async function counts() {
  const { rows } = await api.db.store.pool.query(
    `SELECT (SELECT count(*) FROM users)::int AS users, (SELECT count(*) FROM products)::int AS products, (SELECT count(*) FROM ratings)::int AS ratings`,
  );
  return rows[0];
}

const nest = (levels: number): unknown => {
  let value: unknown = 'leaf';
  for (let k = 0; k < levels; k++) value = { a: value };
  return value;
};

const UPSERT_USER = 'mutation($input: UpsertUserInput!) { upsertUser(input: $input) { id } }';
const UPSERT_PRODUCT = 'mutation($input: UpsertProductInput!) { upsertProduct(input: $input) { id } }';

test('control characters, deep attributes and surrounding whitespace are BAD_USER_INPUT (400), name the field, and write nothing', async () => {
  const before = await counts();
  const cases: [string, Record<string, unknown>, RegExp][] = [
    [UPSERT_USER, { input: { id: 'bob\u0000' } }, /input\.id must not contain control characters \(found U\+0000 at position 3\)/],
    [UPSERT_USER, { input: { id: 'bob', name: 'B\u0000b' } }, /input\.name must not contain control characters/],
    [UPSERT_USER, { input: { id: 'bob', attributes: { zip: '10\u00001' } } }, /input\.attributes\.zip must not contain control characters/],
    [UPSERT_USER, { input: { id: 'bob', attributes: { ['k\u0000']: 1 } } }, /a key in input\.attributes must not contain control characters/],
    [UPSERT_USER, { input: { id: 'bob', attributes: nest(40) } }, /input\.attributes must nest at most 32 levels deep/],
    [UPSERT_USER, { input: { id: 'bob', attributes: nest(3000) } }, /input\.attributes must nest at most 32 levels deep/],
    [UPSERT_USER, { input: { id: 'bob', attributes: { text: 'x'.repeat(20_000) } } }, /at most 16384 bytes/],
    [UPSERT_USER, { input: { id: ' bob' } }, /input\.id must not start or end with whitespace, got " bob"/],
    [UPSERT_PRODUCT, { input: { id: 'p2', name: 'Two\nlines' } }, /input\.name must not contain control characters \(found U\+000A/],
    [UPSERT_PRODUCT, { input: { id: 'p2', name: 'Two', category: 'Bo\u0007oks' } }, /input\.category must not contain control characters/],
    ['{ recommendations(userId: "a\\u0000b") { rank } }', {}, /userId must not contain control characters/],
    ['{ product(id: "p1 ") { id } }', {}, /id must not start or end with whitespace/],
    ['mutation { rateProduct(userId: "alice", productId: "p1", rating: 1e309) { value } }', {}, /rating must be a finite number, got Infinity/],
  ];
  for (const [query, variables, message] of cases) {
    const response = await api.gql(query, variables);
    assert.equal(response.status, 400, `${JSON.stringify(variables).slice(0, 80)}: ${JSON.stringify(response.errors)}`);
    assert.equal(codeOf(response), 'BAD_USER_INPUT');
    assert.match(response.errors![0].message, message);
  }
  // Tabs and line breaks are fine inside attribute text.
  assert.equal((await api.gql(UPSERT_USER, { input: { id: 'carol', attributes: { note: 'a\tb\nc' } } })).errors, undefined);
  assert.deepEqual(await counts(), { ...before, users: before.users + 1 });
  assert.deepEqual(
    captured.lines().filter((l) => (l.level as number) >= 50),
    [],
    'no error is logged for bad input',
  );
});

test('a fault of ours answers a request id and no detail; the log has the detail under that id', async () => {
  await api.db.store.pool.query('ALTER TABLE products RENAME COLUMN name TO name_gone');
  try {
    const response = await fetch(api.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ products(first: 5) { edges { node { id name } } } }' }),
    });
    const body = (await response.json()) as { errors: { message: string; extensions: { code: string; requestId: string } }[] };
    const requestId = response.headers.get('x-request-id');
    assert.ok(requestId);
    assert.equal(body.errors[0].extensions.code, 'INTERNAL_SERVER_ERROR');
    assert.equal(body.errors[0].extensions.requestId, requestId);
    assert.match(body.errors[0].message, new RegExp(`request id ${requestId}`));
    const text = JSON.stringify(body);
    assert.doesNotMatch(text, /name_gone|column|SELECT|prisma|at \/|\.ts/i);
    const logged = captured.lines().find((l) => l.requestId === requestId && l.level === 50);
    assert.ok(logged, 'the fault is logged with the request id');
    assert.match(JSON.stringify(logged), /column/);
  } finally {
    await api.db.store.pool.query('ALTER TABLE products RENAME COLUMN name_gone TO name');
  }
});

test("a client's own x-request-id is kept when it is a plain token", async () => {
  const response = await fetch(api.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-request-id': 'checkout-42' },
    body: JSON.stringify({ query: '{ products(first: 1) { totalCount } }' }),
  });
  assert.equal(response.headers.get('x-request-id'), 'checkout-42');
  const odd = await fetch(api.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-request-id': 'a b<c>' },
    body: '{"query":"{ __typename }"}',
  });
  assert.notEqual(odd.headers.get('x-request-id'), 'a b<c>');
});
