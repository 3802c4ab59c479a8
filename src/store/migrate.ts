// Applies prisma/migrations/*/migration.sql without the Prisma CLI (whose schema
// engine cannot be downloaded on our machines), bookkeeping exactly as
// `prisma migrate deploy` does so that `prisma migrate status|deploy` agree
// wherever the CLI does run:
//  - rows in `_prisma_migrations` (same table, same columns, sha256 checksum of
//    the file), written in the same transaction as the migration itself;
//  - under Prisma's own advisory lock key, so our instances and the Prisma CLI
//    serialize against each other.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import pg from 'pg';
import { inTransaction } from './transaction.js';

/** The key `prisma migrate` locks with (schema-engine's postgres connector). */
export const PRISMA_MIGRATION_LOCK_KEY = 72707369;

export const MIGRATIONS_DIR = path.resolve(import.meta.dirname, '../../prisma/migrations');

export interface MigrationFile {
  name: string;
  sql: string;
  checksum: string;
}

export class MigrationError extends Error {}

export function readMigrations(dir = MIGRATIONS_DIR): MigrationFile[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && fs.existsSync(path.join(dir, entry.name, 'migration.sql')))
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const sql = fs.readFileSync(path.join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: crypto.createHash('sha256').update(sql).digest('hex') };
    });
}

const CREATE_BOOKKEEPING = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

export interface MigrateResult {
  applied: string[];
  alreadyApplied: number;
}

/**
 * Brings the database up to date. Each pending migration runs in its own
 * transaction together with its bookkeeping row: it is applied whole or not at all.
 */
export async function migrate(connectionString: string, options: { dir?: string; onApply?: (name: string) => void } = {}): Promise<MigrateResult> {
  const migrations = readMigrations(options.dir);
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [PRISMA_MIGRATION_LOCK_KEY]);
    try {
      await client.query(CREATE_BOOKKEEPING);
      const { rows } = await client.query<AppliedRow>(
        'SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations" ORDER BY started_at',
      );
      const done = new Map<string, AppliedRow>();
      for (const row of rows) {
        if (row.rolled_back_at) continue;
        if (!row.finished_at) {
          throw new MigrationError(
            `Migration "${row.migration_name}" failed earlier and is marked unfinished in _prisma_migrations. ` +
              'Fix the database by hand, then delete that row (or run `prisma migrate resolve --rolled-back` where the Prisma CLI works).',
          );
        }
        done.set(row.migration_name, row);
      }
      for (const file of migrations) {
        const row = done.get(file.name);
        if (row && row.checksum !== file.checksum) {
          throw new MigrationError(
            `Migration "${file.name}" was changed after it was applied to this database ` +
              `(checksum ${row.checksum.slice(0, 12)}… in the database, ${file.checksum.slice(0, 12)}… on disk). ` +
              'Applied migrations must never be edited: restore the file and put the change in a new migration.',
          );
        }
      }
      const applied: string[] = [];
      for (const file of migrations) {
        if (done.has(file.name)) continue;
        try {
          await inTransaction(client, async () => {
            await client.query(file.sql);
            await client.query(
              `INSERT INTO "_prisma_migrations"
                 (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
               VALUES ($1, $2, $3, now(), clock_timestamp(), 1)`,
              [crypto.randomUUID(), file.checksum, file.name],
            );
          });
        } catch (error) {
          throw new MigrationError(`Migration "${file.name}" failed and was rolled back: ${(error as Error).message}`);
        }
        applied.push(file.name);
        options.onApply?.(file.name);
      }
      return { applied, alreadyApplied: done.size };
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [PRISMA_MIGRATION_LOCK_KEY]).catch(() => {});
    }
  } finally {
    await client.end();
  }
}

/** Names of migrations on disk that the database has not applied (for /readyz). */
export async function pendingMigrations(pool: pg.Pool, dir?: string): Promise<string[]> {
  const migrations = readMigrations(dir);
  const exists = await pool.query(`SELECT to_regclass('"_prisma_migrations"') AS t`);
  if (!exists.rows[0].t) return migrations.map((m) => m.name);
  const { rows } = await pool.query<{ migration_name: string }>(
    'SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL',
  );
  const applied = new Set(rows.map((r) => r.migration_name));
  return migrations.filter((m) => !applied.has(m.name)).map((m) => m.name);
}
