// Introspection is limited like any other query, and can be turned off.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { getIntrospectionQuery } from 'graphql';
import { startTestApi, codeOf, type TestApi } from '../helpers/api.js';

let api: TestApi;
before(async () => {
  api = await startTestApi();
});
after(async () => api?.close());

const WIDE = `__schema { types { name fields { name args { name type { name ofType { name } } } type { name ofType { name ofType { name } } } } } }`;

test('the full introspection query that Sandbox and codegen send is answered', async () => {
  const response = await api.gql(getIntrospectionQuery({ descriptions: true, inputValueDeprecation: true }), {}, false);
  assert.equal(response.errors, undefined, JSON.stringify(response.errors));
  assert.ok(response.data.__schema.types.length > 20);
});

test('introspection counts toward the cost: many aliases of __schema are refused before they run', async () => {
  const aliases = Array.from({ length: 300 }, (_, k) => `a${k}: ${WIDE}`).join('\n');
  const response = await api.gql(`{ ${aliases} }`, {}, false);
  assert.equal(response.status, 400);
  assert.equal(codeOf(response), 'GRAPHQL_VALIDATION_FAILED');
  assert.match(response.errors![0].message, /objects; at most 100,000 are allowed/);
  assert.equal(response.data, undefined);
  // One of them is fine.
  assert.equal((await api.gql(`{ ${WIDE} }`, {}, false)).errors, undefined);
});

test('introspection counts toward the depth', async () => {
  const deep = `{ __schema { types { fields { type { fields { type { fields { type { fields { type { fields { name } } } } } } } } } } } }`;
  const response = await api.gql(deep, {}, false);
  assert.equal(codeOf(response), 'GRAPHQL_VALIDATION_FAILED');
});

test('a document past the token limit is refused by the parser', async () => {
  const response = await api.gql(`{ ${Array.from({ length: 25_000 }, (_, k) => `a${k}: __typename`).join(' ')} }`, {}, false);
  assert.equal(response.status, 400);
  assert.match(response.errors![0].message, /tokens/);
});

test('INTROSPECTION=false turns off introspection and the Sandbox landing page', async () => {
  const closed = await startTestApi({ INTROSPECTION: 'false' });
  try {
    const response = await closed.gql('{ __schema { types { name } } }', {}, false);
    assert.equal(response.status, 400);
    assert.match(response.errors![0].message, /introspection/i);
    const page = await fetch(closed.url, { headers: { accept: 'text/html' } });
    assert.doesNotMatch(await page.text(), /sandbox/i);
    // The API itself still answers.
    assert.equal((await closed.gql('{ products(first: 1) { totalCount } }', {}, false)).errors, undefined);
  } finally {
    await closed.close();
  }
  const open = await fetch(api.url, { headers: { accept: 'text/html' } });
  assert.match(await open.text(), /sandbox/i);
});
