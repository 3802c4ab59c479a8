// import products / import users: CSV with a header or JSON lines, streamed, bad rows reported by line.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { runCli } from '../helpers/cli.js';
import { importDataset } from '../../src/ingest/load.js';
import { readProductsFile, readUsersFile } from '../../src/ingest/catalog-files.js';
import { RowProblems } from '../../src/ingest/problems.js';

let db: TestDatabase;
let dir: string;
before(async () => {
  db = await createTestDatabase('catalog_files');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'catalog-files-'));
});
after(async () => {
  await db?.drop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const write = (name: string, lines: string[]) => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, lines.join('\n'));
  return file;
};
const products = async () =>
  (await db.store.pool.query('SELECT external_id AS id, name, category, price, available, repurchasable, attributes FROM products ORDER BY external_id')).rows;

test('import products from the CLI: a CSV header names the columns, other columns become attributes, bad rows are reported by line', async () => {
  const file = write('catalog.csv', [
    'sku,name,category,price,available,colour,attributes',
    'tea,Green tea,Drinks,3.5,true,green,"{""origin"": ""JP""}"',
    'mug,Mug,Kitchen,,false,white,',
    'nameless,,Kitchen,2,,,',
    'pot,Pot,Kitchen,-1,,,',
    'cup,Cup,Kitchen,1,maybe,,',
  ]);
  const { code, stdout, stderr } = await runCli({ DATABASE_URL: db.url, LOG_LEVEL: 'warn' }, 'import', 'products', '--file', file);
  assert.equal(code, 0, stderr);
  assert.match(stdout, /products\s+2 new/);
  assert.match(stdout, /catalog\.csv line 4: product name must not be empty/);
  assert.match(stdout, /catalog\.csv line 5: price must be a number ≥ 0, got "-1"/);
  assert.match(stdout, /catalog\.csv line 6: available must be true or false, got "maybe"/);
  assert.deepEqual(await products(), [
    { id: 'mug', name: 'Mug', category: 'Kitchen', price: null, available: false, repurchasable: false, attributes: { colour: 'white' } },
    { id: 'tea', name: 'Green tea', category: 'Drinks', price: 3.5, available: true, repurchasable: false, attributes: { colour: 'green', origin: 'JP' } },
  ]);
});

test('JSON lines update what they name and keep the rest; a file without `available` leaves it as stored; --strict refuses the file', async () => {
  const file = write('catalog.jsonl', [
    '{"id": "mug", "name": "Big mug", "price": 9}',
    'not json',
    '{"id": "kettle", "name": "Kettle", "repurchasable": true}',
  ]);
  const problems = new RowProblems();
  const result = await importDataset(db.store, readProductsFile(file, { problems }), { problems });
  assert.deepEqual([result.products.inserted, result.products.updated, result.products.skipped], [1, 1, 1]);
  assert.deepEqual(
    problems.sample.map((p) => [p.line, p.message]),
    [[2, 'not a JSON object']],
  );
  const rows = await products();
  assert.deepEqual(
    rows.find((r) => r.id === 'mug'),
    {
      id: 'mug',
      name: 'Big mug',
      category: 'Kitchen',
      price: 9,
      available: false,
      repurchasable: false,
      attributes: { colour: 'white' },
    },
  );
  assert.equal(rows.find((r) => r.id === 'kettle').repurchasable, true);

  const strict = new RowProblems({ strict: true });
  await assert.rejects(importDataset(db.store, readProductsFile(file, { problems: strict }), { problems: strict }), /line 2/);
  assert.equal((await products()).length, 3);
});

test('import users: other columns become attributes, and a visitor imported becomes a user', async () => {
  await db.store.pool.query(`INSERT INTO users (external_id, visitor) VALUES ('cookie-1', true)`);
  const file = write('users.csv', ['id,name,age,gender', 'u-1,Ann,31,F', 'cookie-1,,40,M', ',Nobody,20,F']);
  const problems = new RowProblems();
  const result = await importDataset(db.store, readUsersFile(file, { problems }), { problems });
  assert.deepEqual([result.users.inserted, result.users.updated, result.users.skipped], [1, 1, 1]);
  assert.match(problems.sample[0].message, /user id must not be empty/);
  const { rows } = await db.store.pool.query('SELECT external_id AS id, name, attributes, visitor FROM users ORDER BY external_id');
  assert.deepEqual(rows, [
    { id: 'cookie-1', name: null, attributes: { age: '40', gender: 'M' }, visitor: false },
    { id: 'u-1', name: 'Ann', attributes: { age: '31', gender: 'F' }, visitor: false },
  ]);
});
