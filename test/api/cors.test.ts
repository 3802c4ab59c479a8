// CORS as a browser on another origin sees it: preflights, the headers on the
// answer, refused origins; Apollo's CSRF prevention still on behind it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApi, type TestApi } from '../helpers/api.js';

let api: TestApi;
before(async () => {
  api = await startTestApi({ CORS_ORIGINS: 'https://shop.example, http://localhost:3000' });
});
after(async () => api?.close());

const preflight = (origin: string) =>
  fetch(api.url, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, authorization' },
  });

test('a preflight from an allowed origin is answered 204 with the methods and headers a client needs', async () => {
  for (const origin of ['https://shop.example', 'http://localhost:3000']) {
    const response = await preflight(origin);
    assert.equal(response.status, 204);
    assert.equal(response.headers.get('access-control-allow-origin'), origin);
    assert.match(response.headers.get('access-control-allow-methods')!, /POST/);
    assert.deepEqual(response.headers.get('access-control-allow-headers')!.split(',').slice(0, 3), [
      'content-type',
      'authorization',
      'apollo-require-preflight',
    ]);
    assert.match(response.headers.get('vary')!, /Origin/);
  }
});

test('the answer to an allowed origin carries the CORS headers; other origins get none', async () => {
  const call = (origin: string) =>
    fetch(api.url, {
      method: 'POST',
      headers: { origin, 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ products(first: 1) { totalCount } }' }),
    });
  const allowed = await call('https://shop.example');
  assert.equal(allowed.status, 200);
  assert.equal(allowed.headers.get('access-control-allow-origin'), 'https://shop.example');
  assert.match(allowed.headers.get('vary')!, /Origin/);
  assert.match(allowed.headers.get('access-control-expose-headers')!, /retry-after/);

  const other = await call('https://evil.example');
  assert.equal(other.headers.get('access-control-allow-origin'), null);
  const refused = await preflight('https://evil.example');
  assert.equal(refused.status, 403);
  assert.equal(refused.headers.get('access-control-allow-origin'), null);
  assert.match(((await refused.json()) as { error: string }).error, /CORS_ORIGINS/);
});

test("Apollo's CSRF prevention stays on: a simple GET query without a preflight header is refused", async () => {
  const response = await fetch(`${api.url}?query=${encodeURIComponent('{ products(first: 1) { totalCount } }')}`, {
    headers: { origin: 'https://shop.example' },
  });
  assert.equal(response.status, 400);
  assert.match(await response.text(), /CSRF/);
  const withHeader = await fetch(`${api.url}?query=${encodeURIComponent('{ products(first: 1) { totalCount } }')}`, {
    headers: { origin: 'https://shop.example', 'apollo-require-preflight': 'true' },
  });
  assert.equal(withHeader.status, 200);
});

test('CORS_ORIGINS=* allows any origin; unset outside development, none', async () => {
  const open = await startTestApi({ CORS_ORIGINS: '*' });
  const closed = await startTestApi({ NODE_ENV: 'production', CORS_ORIGINS: '' });
  try {
    const anyOrigin = await fetch(open.url, { method: 'OPTIONS', headers: { origin: 'https://anywhere.example', 'access-control-request-method': 'POST' } });
    assert.equal(anyOrigin.status, 204);
    assert.equal(anyOrigin.headers.get('access-control-allow-origin'), 'https://anywhere.example');
    assert.match(anyOrigin.headers.get('vary')!, /Origin/);
    const none = await fetch(closed.url, { method: 'OPTIONS', headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST' } });
    assert.equal(none.status, 403);
  } finally {
    await open.close();
    await closed.close();
  }
});
