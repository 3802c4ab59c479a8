// The HTTP layer (src/api/http.ts) over a real server: what a client sees when
// the request itself is wrong, and the routes beside /graphql.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApi, TEST_TOKEN, type TestApi } from '../helpers/api.js';
import fs from 'node:fs';
import { buildClientSchema, getIntrospectionQuery, lexicographicSortSchema, printSchema } from 'graphql';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { BODY_LIMIT_BYTES } from '../../src/api/http.js';
import { SCHEMA_PATH } from '../../src/api/server.js';
import { resolvers } from '../../src/api/resolvers/index.js';

let api: TestApi;
let base: string;
before(async () => {
  api = await startTestApi();
  base = api.url.replace(/\/graphql$/, '');
});
after(async () => {
  await api?.close();
});

const post = (body: string, headers: Record<string, string> = { 'content-type': 'application/json' }, path = '/graphql') =>
  fetch(`${base}${path}`, { method: 'POST', headers, body });

async function stillServes() {
  const ok = await api.gql('{ __typename }');
  assert.deepEqual(ok.data, { __typename: 'Query' });
}

test('a body that is not JSON is refused with 400 BAD_REQUEST, and the server goes on', async () => {
  const response = await post('{"query": "{ __typename }"');
  assert.equal(response.status, 400);
  const body = (await response.json()) as any;
  assert.equal(body.errors[0].extensions.code, 'BAD_REQUEST');
  assert.match(body.errors[0].message, /not valid JSON/);
  await stillServes();
});

test('a body over the limit is refused with 413 before it is parsed', async () => {
  const query = `{ __typename }${' '.repeat(BODY_LIMIT_BYTES)}`;
  const response = await post(JSON.stringify({ query }));
  assert.equal(response.status, 413);
  const body = (await response.json()) as any;
  assert.equal(body.errors[0].extensions.code, 'BAD_REQUEST');
  assert.match(body.errors[0].message, /larger than 2 MB/);
  await stillServes();
});

test('a body just under the limit is served', async () => {
  const query = `{ __typename }${' '.repeat(BODY_LIMIT_BYTES - 100)}`;
  const response = await post(JSON.stringify({ query }));
  assert.equal(response.status, 200);
  assert.deepEqual(((await response.json()) as any).data, { __typename: 'Query' });
});

test('a POST that is not JSON is refused (CSRF prevention), nothing is executed', async () => {
  const before = await api.db.store.pool.query('SELECT count(*)::int AS n FROM users');
  const response = await post(JSON.stringify({ query: 'mutation { upsertUser(input: { id: "csrf" }) { id } }' }), {
    'content-type': 'text/plain',
    authorization: `Bearer ${TEST_TOKEN}`,
  });
  assert.equal(response.status, 400);
  const after = await api.db.store.pool.query('SELECT count(*)::int AS n FROM users');
  assert.equal(after.rows[0].n, before.rows[0].n);
});

test('GET queries work with a preflight header, and /graphql/ is /graphql', async () => {
  const response = await fetch(`${base}/graphql/?query=${encodeURIComponent('{ __typename }')}`, {
    headers: { 'apollo-require-preflight': 'true' },
  });
  assert.equal(response.status, 200);
  assert.deepEqual(((await response.json()) as any).data, { __typename: 'Query' });
});

test('an unknown path is a 404 that says where GraphQL is', async () => {
  const response = await fetch(`${base}/graphq`);
  assert.equal(response.status, 404);
  assert.match(((await response.json()) as any).error, /\/graphql/);
});

test('health, readiness and the Sandbox landing page', async () => {
  const health = await fetch(`${base}/healthz`);
  assert.equal(health.status, 200);
  const ready = await fetch(`${base}/readyz`);
  assert.equal(ready.status, 200);
  assert.deepEqual(await ready.json(), { status: 'ready' });
  const page = await fetch(api.url, { headers: { accept: 'text/html' } });
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type') ?? '', /text\/html/);
  assert.match(await page.text(), /sandbox/i);
});

test('execution is compiled (graphql-jit), yet answers as graphql-js would: introspection, bad variables, errors', async () => {
  // Sandbox's introspection query gives back exactly the schema of schema.graphql and the resolvers.
  const introspection = await api.gql(getIntrospectionQuery({ specifiedByUrl: true }));
  assert.equal(introspection.errors, undefined);
  const served = printSchema(lexicographicSortSchema(buildClientSchema(introspection.data)));
  const contract = printSchema(lexicographicSortSchema(makeExecutableSchema({ typeDefs: fs.readFileSync(SCHEMA_PATH, 'utf8'), resolvers })));
  assert.equal(served, contract);
  // A variable of the wrong type: 400 BAD_USER_INPUT before anything runs.
  const response = await post(JSON.stringify({ query: 'query($n: Int) { recommendations(userId: "x", first: $n) { score } }', variables: { n: 'ten' } }));
  assert.equal(response.status, 400);
  const body = (await response.json()) as any;
  assert.equal(body.errors[0].extensions.code, 'BAD_USER_INPUT');
  assert.match(body.errors[0].message, /\$n/);
  // A resolver's coded error keeps its code and path; the rest of the response is still answered.
  const partial = await api.gql('{ a: __typename b: unratedProductScores(userId: "nobody") { totalCount } }');
  assert.equal(partial.data, null, 'unratedProductScores is non-null, so the error reaches the root');
  assert.equal(partial.errors?.[0]?.extensions?.code, 'NOT_FOUND');
  assert.deepEqual((partial.errors?.[0] as { path?: unknown } | undefined)?.path, ['b']);
});

test('a small query is compiled on its second sight, a large one (by the cost estimate) on its first', async () => {
  const before = api.server.compiledQueries();
  const small = `{ small_${Date.now()}: __typename }`;
  await api.gql(small);
  assert.equal(api.server.compiledQueries(), before, 'seen once: run by graphql-js');
  await api.gql(small);
  assert.equal(api.server.compiledQueries(), before + 1, 'seen twice: compiled');
  // 1,000 users × 10 recommendations: thousands of objects, compiled at once.
  const ids = Array.from({ length: 1000 }, (_, k) => `nobody-${k}`);
  await api.gql('query($ids: [ID!]!) { recommendationsForUsers(userIds: $ids, first: 10) { user { id } recommendations { score } } }', { ids });
  assert.equal(api.server.compiledQueries(), before + 2);
});
