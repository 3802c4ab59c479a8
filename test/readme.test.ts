// The GraphQL examples of the README and docs/api.md, run as written on the demo data with the key
// each one's first line names: an example that stops working fails here.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { parse, Kind, type OperationDefinitionNode } from 'graphql';
import { startTestApi, type TestApi } from './helpers/api.js';
import { seedShop, DEMO_SHOP } from '../src/ingest/synthetic.js';

const examplesOf = (file: string) =>
  [...fs.readFileSync(path.resolve(import.meta.dirname, '..', file), 'utf8').matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1]);
const DOCUMENTS = ['README.md', 'docs/api.md'];
const blocksOf = Object.fromEntries(DOCUMENTS.map((file) => [file, examplesOf(file)]));
const blocks = DOCUMENTS.flatMap((file) => blocksOf[file]);

let api: TestApi;
before(async () => {
  // API only: a retrain in an example is queued, not trained, so the test stays short.
  api = await startTestApi({ ROLE: 'api' });
  await seedShop(api.db.store, DEMO_SHOP);
  // A first model, as `npm start` trains one on the demo data (smaller, to be quick).
  const { run } = await api.service.scheduler.requestRetrain({ trigger: 'cli', config: { epochs: 2, ensembleSize: 1 } });
  const trained = await api.service.supervisor.execute(run.id);
  assert.equal(trained?.status, 'succeeded', trained?.error ?? trained?.reason ?? '');
});
after(async () => api?.close());

test('the README and docs/api.md have GraphQL examples for each kind of caller', () => {
  for (const file of DOCUMENTS) {
    assert.deepEqual(
      blocksOf[file].map((b) => /^# .*(no key|backend key|admin key)/.exec(b)?.[1]),
      ['no key', 'backend key', 'admin key'],
      file,
    );
  }
});

test('every operation in the examples runs as written, with the key its example names', async () => {
  const keys = { 'no key': false as const, 'backend key': await api.createKey('backend'), 'admin key': undefined };
  let operations = 0;
  for (const block of blocks) {
    const who = /^# .*(no key|backend key|admin key)/.exec(block)![1] as keyof typeof keys;
    for (const definition of parse(block).definitions) {
      const name = (definition as OperationDefinitionNode).name?.value;
      assert.equal(definition.kind, Kind.OPERATION_DEFINITION);
      const response = await fetch(api.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(keys[who] === false ? {} : { authorization: `Bearer ${keys[who] ?? 'test-admin-token-0123'}` }) },
        body: JSON.stringify({ query: block, operationName: name }),
      });
      const body = (await response.json()) as { data?: Record<string, unknown>; errors?: unknown[] };
      assert.equal(response.status, 200, `${name}: ${JSON.stringify(body.errors)}`);
      assert.equal(body.errors, undefined, `${name}: ${JSON.stringify(body.errors)}`);
      for (const [field, value] of Object.entries(body.data!)) assert.notEqual(value, null, `${name}.${field}`);
      operations++;
    }
  }
  assert.equal(
    operations,
    blocks.reduce((n, block) => n + parse(block).definitions.length, 0),
  );
  assert.ok(operations >= 9, `${operations} operations`);
});
