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

test('TRUST_PROXY: behind a load balancer each client address (the last X-Forwarded-For entry) has its own budget; without it the header is ignored', async () => {
  const anonymous = (forwardedFor: string) =>
    fetch(api.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
      body: JSON.stringify({ query: QUERY }),
    });
  const proxied = await startTestApi({ RATE_LIMIT_PER_MINUTE: '3', TRUST_PROXY: 'true' });
  try {
    const behind = (forwardedFor: string) =>
      fetch(proxied.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
        body: JSON.stringify({ query: QUERY }),
      });
    for (let k = 0; k < 3; k++) assert.equal((await behind('203.0.113.7, 10.0.0.1')).status, 200);
    assert.equal((await behind('203.0.113.7, 10.0.0.1')).status, 429, 'the address the proxy saw is out of budget');
    assert.equal((await behind('203.0.113.7, 10.0.0.2')).status, 200, 'another address is not');
  } finally {
    await proxied.close();
  }
  // Without TRUST_PROXY (the first API, whose budget for this address the test above spent): a forged header buys no fresh one.
  assert.equal((await anonymous('198.51.100.1')).status, 429);
});
