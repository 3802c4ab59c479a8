// RATE_LIMIT_PER_MINUTE: per key for backend and admin keys, per address otherwise.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApi, codeOf, type TestApi } from '../helpers/api.js';

let api: TestApi;
before(async () => {
  api = await startTestApi({ RATE_LIMIT_PER_MINUTE: '5' });
});
after(async () => api?.close());

const QUERY = '{ products(first: 1) { totalCount } }';

test('past the limit a client gets 429 RATE_LIMITED with Retry-After; other clients are not affected', async () => {
  // The admin token's budget: the test helper sends it by default.
  for (let k = 0; k < 5; k++) assert.equal((await api.gql(QUERY)).status, 200);
  const response = await fetch(api.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer test-admin-token-0123' },
    body: JSON.stringify({ query: QUERY }),
  });
  assert.equal(response.status, 429);
  const retryAfter = Number(response.headers.get('retry-after'));
  assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After: ${retryAfter}`);
  const body = (await response.json()) as { errors: { message: string; extensions: { code: string; retryAfterSeconds: number } }[] };
  assert.equal(body.errors[0].extensions.code, 'RATE_LIMITED');
  assert.equal(body.errors[0].extensions.retryAfterSeconds, retryAfter);
  assert.match(body.errors[0].message, /at most 5 a minute/);

  // Callers without a key count per address, apart from the admin token's budget.
  for (let k = 0; k < 5; k++) assert.equal((await api.gql(QUERY, {}, false)).status, 200);
  assert.equal(codeOf(await api.gql(QUERY, {}, false)), 'RATE_LIMITED');
  // Guessing keys counts against the address too.
  assert.equal(codeOf(await api.gql(QUERY, {}, 'rk_guess')), 'RATE_LIMITED');
});
