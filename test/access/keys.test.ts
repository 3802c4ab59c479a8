// API keys end to end: made with the CLI (another process), used against the
// running service, revoked with the CLI and refused at once; and the same
// through the admin mutations.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApi, codeOf, type TestApi } from '../helpers/api.js';
import { runCli } from '../helpers/cli.js';

let api: TestApi;
before(async () => {
  api = await startTestApi();
});
after(async () => api?.close());

const cli = (...args: string[]) => runCli({ DATABASE_URL: api.db.url, LOG_LEVEL: 'info', NODE_ENV: 'production' }, ...args);

const WRITE = 'mutation { upsertProduct(input: { id: "k-1", name: "Key test" }) { id } }';

test('a key made with the CLI works at once, is listed without its secret, and is refused at once when revoked', async () => {
  const made = await cli('keys', 'create', '--role', 'backend', '--name', 'shop backend', '--json');
  assert.equal(made.code, 0, made.stderr);
  const { id, key, role } = JSON.parse(made.stdout) as { id: number; key: string; role: string };
  assert.equal(role, 'backend');
  assert.match(key, /^rk_[\w-]{43}$/);
  // Not in the CLI's log either.
  assert.doesNotMatch(made.stderr, new RegExp(key));

  const used = await api.gql(WRITE, {}, key);
  assert.equal(used.errors, undefined, JSON.stringify(used.errors));

  const listed = await cli('keys', 'list');
  assert.equal(listed.code, 0, listed.stderr);
  assert.match(listed.stdout, new RegExp(`${id}\\s+backend\\s+shop backend\\s+${key.slice(0, 10)}…`));
  assert.doesNotMatch(listed.stdout, new RegExp(key));
  const stored = await api.db.store.pool.query('SELECT hash FROM api_keys WHERE id = $1', [id]);
  assert.notEqual(stored.rows[0].hash, key);

  const revoked = await cli('keys', 'revoke', String(id));
  assert.equal(revoked.code, 0, revoked.stderr);
  assert.match(revoked.stdout, /is revoked/);
  const refused = await api.gql(WRITE, {}, key);
  assert.equal(refused.status, 401);
  assert.equal(codeOf(refused), 'UNAUTHENTICATED');
  assert.match(refused.errors![0].message, /unknown or was revoked/);

  const unknown = await cli('keys', 'revoke', '4242');
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /No API key with id 4242/);
  const badRole = await cli('keys', 'create', '--role', 'root', '--name', 'x');
  assert.equal(badRole.code, 1);
  assert.match(badRole.stderr, /role must be one of frontend, backend, admin/);
});

test('keys made and revoked through the admin mutations', async () => {
  const made = await api.gql('mutation { createApiKey(name: "storefront", role: FRONTEND) { key apiKey { id role name prefix revokedAt } } }');
  assert.equal(made.errors, undefined);
  const { key, apiKey } = made.data.createApiKey;
  assert.deepEqual({ ...apiKey, id: undefined }, { id: undefined, role: 'FRONTEND', name: 'storefront', prefix: key.slice(0, 10), revokedAt: null });
  const listed = await api.gql('{ apiKeys { id name } }');
  assert.ok(listed.data.apiKeys.some((k: { id: string }) => k.id === apiKey.id));
  assert.equal((await api.gql('{ products(first: 1) { totalCount } }', {}, key)).errors, undefined);
  // A frontend key may not write.
  assert.equal(codeOf(await api.gql(WRITE, {}, key)), 'FORBIDDEN');

  const revoked = await api.gql(`mutation { revokeApiKey(id: "${apiKey.id}") { revokedAt } }`);
  assert.ok(revoked.data.revokeApiKey.revokedAt);
  assert.equal(codeOf(await api.gql('{ products(first: 1) { totalCount } }', {}, key)), 'UNAUTHENTICATED');

  assert.equal(codeOf(await api.gql('mutation { createApiKey(name: "", role: ADMIN) { key } }')), 'BAD_USER_INPUT');
  assert.equal(codeOf(await api.gql('mutation { revokeApiKey(id: "9999") { id } }')), 'NOT_FOUND');
});

test('a header that is not a bearer key is refused, not taken as anonymous', async () => {
  const response = await fetch(api.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Basic dXNlcjpwYXNz' },
    body: JSON.stringify({ query: '{ products(first: 1) { totalCount } }' }),
  });
  assert.equal(response.status, 401);
  assert.equal(response.headers.get('www-authenticate'), 'Bearer');
  const body = (await response.json()) as { errors: { extensions: { code: string } }[] };
  assert.equal(body.errors[0].extensions.code, 'UNAUTHENTICATED');
});
