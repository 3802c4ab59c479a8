import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { migrate, readMigrations, MIGRATIONS_DIR } from '../../src/store/migrate.js';
import { createEmptyDatabase } from '../helpers/db.js';

test('applies every migration once and records it the way Prisma does', async () => {
  const db = await createEmptyDatabase('mig');
  try {
    const first = await migrate(db.url);
    assert.deepEqual(
      first.applied,
      readMigrations().map((m) => m.name),
    );
    const second = await migrate(db.url);
    assert.deepEqual(second.applied, []);
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const { rows } = await client.query('SELECT * FROM "_prisma_migrations" ORDER BY migration_name');
    await client.end();
    const files = readMigrations();
    assert.equal(rows.length, files.length);
    for (const [i, row] of rows.entries()) {
      assert.equal(row.migration_name, files[i].name);
      assert.equal(row.checksum, files[i].checksum);
      assert.match(row.id, /^[0-9a-f-]{36}$/);
      assert.ok(row.finished_at instanceof Date);
      assert.equal(row.rolled_back_at, null);
      assert.equal(row.logs, null);
      assert.equal(row.applied_steps_count, 1);
    }
  } finally {
    await db.drop();
  }
});

test('two instances migrating at once apply each migration exactly once', async () => {
  const db = await createEmptyDatabase('mig');
  try {
    const results = await Promise.all([migrate(db.url), migrate(db.url), migrate(db.url)]);
    const applied = results.flatMap((r) => r.applied);
    assert.deepEqual(
      applied.sort(),
      readMigrations()
        .map((m) => m.name)
        .sort(),
    );
  } finally {
    await db.drop();
  }
});

test('refuses a migration that was edited after it was applied', async () => {
  const db = await createEmptyDatabase('mig');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'migrations-'));
  try {
    fs.cpSync(MIGRATIONS_DIR, dir, { recursive: true });
    await migrate(db.url, { dir });
    const [firstName] = readMigrations(dir).map((m) => m.name);
    fs.appendFileSync(path.join(dir, firstName, 'migration.sql'), '\n-- edited\n');
    await assert.rejects(migrate(db.url, { dir }), /was changed after it was applied/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    await db.drop();
  }
});

test('a failing migration is rolled back whole and not recorded', async () => {
  const db = await createEmptyDatabase('mig');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'migrations-'));
  try {
    fs.cpSync(MIGRATIONS_DIR, dir, { recursive: true });
    fs.mkdirSync(path.join(dir, '99990101000000_broken'));
    fs.writeFileSync(path.join(dir, '99990101000000_broken', 'migration.sql'), 'CREATE TABLE half_done (id int);\nSELECT * FROM no_such_table;\n');
    await assert.rejects(migrate(db.url, { dir }), /99990101000000_broken.*rolled back/);
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const table = await client.query(`SELECT to_regclass('half_done') AS t`);
    const recorded = await client.query(`SELECT 1 FROM "_prisma_migrations" WHERE migration_name = '99990101000000_broken'`);
    await client.end();
    assert.equal(table.rows[0].t, null);
    assert.equal(recorded.rowCount, 0);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    await db.drop();
  }
});
