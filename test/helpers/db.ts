// Each test file gets its own freshly migrated database on the server that
// scripts/test.ts chose (a copy of the template it migrated), and drops it afterwards.
import crypto from 'node:crypto';
import pg from 'pg';
import { createStore, type Store } from '../../src/store/db.js';
import { migrate } from '../../src/store/migrate.js';
import { seedShop } from '../../src/ingest/synthetic.js';

export function adminUrl(): string {
  const url = process.env.TEST_ADMIN_DATABASE_URL || process.env.DATABASE_URL;
  if (!url) throw new Error('Run the tests with `npm test` (it provides a PostgreSQL), or set DATABASE_URL.');
  return url;
}

export function urlFor(database: string): string {
  const url = new URL(adminUrl());
  url.pathname = `/${database}`;
  return url.toString();
}

export interface TestDatabase {
  name: string;
  url: string;
  store: Store;
  drop(): Promise<void>;
}

/** A new database; a copy of `template` when given. */
export async function createEmptyDatabase(prefix = 't', template?: string): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${crypto.randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}${template ? ` TEMPLATE ${pg.escapeIdentifier(template)}` : ''}`);
  await admin.end();
  return {
    name,
    url: urlFor(name),
    async drop() {
      const c = new pg.Client({ connectionString: adminUrl() });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** A migrated database named `name` on another server (e.g. a private PostgreSQL), holding a synthetic shop. */
export async function seededDatabaseOn(
  serverUrl: string,
  name: string,
  shop: { users: number; products: number; ratings: number; seed: number },
): Promise<Store> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  await migrate(url.toString());
  const store = createStore(url.toString());
  await seedShop(store, shop);
  return store;
}

/**
 * A migrated, empty database with a store connected to it: a copy of the migrated template that `npm test`
 * made (TEST_TEMPLATE_DATABASE), or migrated here when the file runs on its own.
 */
export async function createTestDatabase(prefix = 't'): Promise<TestDatabase> {
  const template = process.env.TEST_TEMPLATE_DATABASE;
  const db = await createEmptyDatabase(prefix, template);
  if (!template) await migrate(db.url);
  const store = createStore(db.url, { max: 8 });
  return {
    ...db,
    store,
    async drop() {
      await store.close();
      await db.drop();
    },
  };
}
