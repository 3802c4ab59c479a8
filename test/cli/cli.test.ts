// The CLI as users run it: a child process against a test database.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createEmptyDatabase } from '../helpers/db.js';
import pg from 'pg';
import { runCli } from '../helpers/cli.js';

let db: { url: string; drop(): Promise<void> };
let pool: pg.Pool;
let dir: string;
before(async () => {
  db = await createEmptyDatabase('cli');
  pool = new pg.Pool({ connectionString: db.url, max: 2 });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-'));
});
after(async () => {
  await pool.end();
  await db.drop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const cli = (...args: string[]) => runCli({ DATABASE_URL: db.url, LOG_LEVEL: 'info', NODE_ENV: 'production' }, ...args);

async function counts() {
  const { rows } = await pool.query(
    `SELECT (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM products) AS products, (SELECT count(*) FROM ratings) AS ratings`,
  );
  return rows[0];
}

test('migrate creates the schema, then finds it up to date', async () => {
  const first = await cli('migrate');
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /Applied \d+ migration\(s\) to postgres(ql)?:\/\//);
  // A DATABASE_URL without a password (trust authentication) has nothing to hide.
  const { password } = new URL(db.url);
  if (password) {
    assert.match(first.stdout, /\*\*\*@/, 'the password is masked');
    assert.ok(!first.stdout.includes(password), 'the password is not printed');
  }
  const second = await cli('migrate');
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stdout, /is up to date/);
});

test('seed loads the synthetic shop and logs progress as JSON lines when stderr is not a terminal', async () => {
  const { code, stdout, stderr } = await cli('seed', '--users', '30', '--products', '40', '--ratings', '500', '--seed', '7', '--json');
  assert.equal(code, 0, stderr);
  const result = JSON.parse(stdout);
  assert.deepEqual([result.users.inserted, result.products.inserted, result.ratings.inserted], [30, 40, 500]);
  const logs = stderr
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
  assert.ok(logs.some((entry) => entry.phase === 'read' && entry.table === 'ratings' && entry.finished));
  assert.ok(logs.some((entry) => entry.phase === 'apply' && entry.step === 'commit'));
  assert.deepEqual(await counts(), { users: 30, products: 40, ratings: 500 });
});

test('import csv loads ratings, reports bad rows with their line, and prints a summary', async () => {
  const file = path.join(dir, 'shop.csv');
  fs.writeFileSync(file, 'user_id,product_id,rating\nc1,x1,4\nc1,x2,nope\nc2,x1,2.5\n');
  const before = await counts();
  const { code, stdout, stderr } = await cli('import', 'csv', '--ratings', file);
  assert.equal(code, 0, stderr);
  assert.match(stdout, /ratings\s+2 new/);
  assert.match(stdout, /1 bad row was skipped:\n\s+shop\.csv line 3: rating must be a number, got "nope"/);
  assert.match(stderr, /bad row skipped: rating must be a number/);
  const after = await counts();
  assert.equal(after.ratings, before.ratings + 2);
  assert.equal(after.users, before.users + 2);
});

test('import csv --strict fails on a bad row with a clear message and writes nothing', async () => {
  const file = path.join(dir, 'strict.csv');
  fs.writeFileSync(file, 'n1,m1,4\nn2,m2,11\n');
  const before = await counts();
  const { code, stderr } = await cli('import', 'csv', '--ratings', file, '--strict');
  assert.equal(code, 1);
  assert.match(stderr, /error: strict\.csv line 2: rating must be between 1 and 5, got 11 \(strict mode: the import was aborted and nothing was written\)/);
  assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
  assert.deepEqual(await counts(), before);
});

test('a missing file exits non-zero with a clear message and no stack trace', async () => {
  const missing = path.join(dir, 'missing.csv');
  const { code, stdout, stderr } = await cli('import', 'csv', '--ratings', missing);
  assert.equal(code, 1);
  assert.equal(stdout, '');
  assert.equal(stderr.trim(), `error: Ratings file not found: ${missing}`);
});

test('import movielens reads a 100K-layout folder', async () => {
  const folder = path.join(dir, 'ml');
  fs.mkdirSync(folder);
  fs.writeFileSync(path.join(folder, 'u.genre'), 'unknown|0\nAction|1\n\n');
  fs.writeFileSync(path.join(folder, 'u.item'), Buffer.from('501|Amélie (2001)|01-Jan-2001||http://x|0|1\n', 'latin1'));
  fs.writeFileSync(path.join(folder, 'u.user'), '901|30|F|artist|12345\n');
  fs.writeFileSync(path.join(folder, 'u.data'), '901\t501\t5\t881250949\n');
  const { code, stdout, stderr } = await cli('import', 'movielens', folder);
  assert.equal(code, 0, stderr);
  assert.match(stdout, /Imported MovieLens \(100k layout\)/);
  const { rows } = await pool.query(`SELECT name, category FROM products WHERE external_id = '501'`);
  assert.deepEqual(rows, [{ name: 'Amélie (2001)', category: 'Action' }]);
});

test('usage errors are reported by the option parser', async () => {
  const noFile = await cli('import', 'csv');
  assert.notEqual(noFile.code, 0);
  assert.match(noFile.stderr, /required option '--ratings <file>' not specified/);
  const badNumber = await cli('seed', '--users', 'many');
  assert.notEqual(badNumber.code, 0);
  assert.match(badNumber.stderr, /expected a whole number ≥ 1, got "many"/);
  const tooMany = await cli('seed', '--users', '2', '--products', '2', '--ratings', '5');
  assert.equal(tooMany.code, 1);
  assert.match(tooMany.stderr, /error: --ratings 5 is more than 2 users × 2 products allow \(4\)/);
});

test('an unreachable database is a clear error', async () => {
  const { code, stderr } = await runCli({ DATABASE_URL: 'postgresql://nobody:secret@127.0.0.1:1/none' }, 'migrate');
  assert.equal(code, 1);
  assert.match(stderr, /error: Cannot use the database: nothing is listening at postgresql:\/\/nobody:\*\*\*@127\.0\.0\.1:1\/none/);
  assert.doesNotMatch(stderr, /secret/);
});
