// schema.graphql is the contract: the committed resolver types must be what
// `npm run codegen` makes of it today.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { generate } from '@graphql-codegen/cli';
import config from '../../codegen.js';

test('src/api/generated/graphql.ts is up to date with schema.graphql (run `npm run codegen`)', async () => {
  const outputs = (await generate({ ...config, silent: true }, false)) as { filename: string; content: string }[];
  assert.ok(outputs.length > 0);
  for (const { filename, content } of outputs) {
    assert.equal(fs.readFileSync(filename, 'utf8'), content, `${filename} is stale: run \`npm run codegen\``);
  }
});
