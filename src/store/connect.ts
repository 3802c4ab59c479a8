// The one way the service, the CLI and the benchmarks reach their database:
// DATABASE_URL when set, otherwise the embedded PostgreSQL in <dataDir>/pg, so
// that `npm start` and `npm run cli` work on the same data without any setup.
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import type { AppConfig } from '../config.js';
import type { Logger } from '../log.js';
import { ensureDatabase, startEmbeddedPostgres } from './embedded.js';
import { migrate, type MigrateResult } from './migrate.js';

export const EMBEDDED_DATABASE = 'recsys';

/** The database could not be reached or started; the message says what to check. */
export class DatabaseUnavailableError extends Error {
  override name = 'DatabaseUnavailableError';
}

export interface OpenedDatabase {
  url: string;
  /** Stops the embedded PostgreSQL if this call started it; otherwise does nothing. */
  stop(): Promise<void>;
  /** Whether the embedded PostgreSQL is used (rather than DATABASE_URL). */
  embedded: boolean;
}

/** Connects (starting the embedded PostgreSQL if needed) and brings the schema up to date. */
export async function openDatabase(config: AppConfig, log: Logger): Promise<OpenedDatabase & { migrations: MigrateResult }> {
  const database = await connectDatabase(config, log);
  try {
    const migrations = await migrate(database.url, {
      onApply: (name) => log.info({ migration: name }, 'applied migration'),
    });
    return { ...database, migrations };
  } catch (error) {
    await database.stop();
    throw unavailable(error, database.url) ?? error;
  }
}

/** Like openDatabase, without migrating (for tools that make databases of their own). */
export async function connectDatabase(config: AppConfig, log: Logger): Promise<OpenedDatabase> {
  if (config.databaseUrl) {
    await probe(config.databaseUrl);
    return { url: config.databaseUrl, stop: async () => {}, embedded: false };
  }
  const dir = path.join(config.dataDir, 'pg');
  const running = await runningEmbedded(dir, config.embeddedPgPort);
  if (running) {
    // Another process (usually the service) started it: use it, leave it running.
    log.debug({ port: config.embeddedPgPort }, 'using the embedded PostgreSQL that is already running');
    return { url: running, stop: async () => {}, embedded: true };
  }
  log.info({ dir, port: config.embeddedPgPort }, 'starting the embedded PostgreSQL');
  try {
    const embedded = await startEmbeddedPostgres({
      dir,
      port: config.embeddedPgPort,
      database: EMBEDDED_DATABASE,
      onLog: (message) => log.debug({ postgres: String(message) }, 'embedded postgres'),
    });
    return { url: embedded.url, stop: () => embedded.stop(), embedded: true };
  } catch (error) {
    throw new DatabaseUnavailableError(
      `Could not start the embedded PostgreSQL in ${dir} on port ${config.embeddedPgPort}: ${error instanceof Error ? error.message : String(error)}. ` +
        'Set EMBEDDED_PG_PORT to a free port, or DATABASE_URL to use a PostgreSQL server of your own.',
    );
  }
}

/** The URL of an embedded PostgreSQL already running on `port` with our data folder, if any. */
async function runningEmbedded(dir: string, port: number): Promise<string | undefined> {
  const passwordFile = path.join(dir, '..', `${path.basename(dir)}.password`);
  if (!fs.existsSync(passwordFile) || !fs.existsSync(path.join(dir, 'postmaster.pid'))) return undefined;
  const password = encodeURIComponent(fs.readFileSync(passwordFile, 'utf8').trim());
  const adminUrl = `postgresql://postgres:${password}@127.0.0.1:${port}/postgres`;
  try {
    await probe(adminUrl);
  } catch {
    return undefined;
  }
  await ensureDatabase(adminUrl, EMBEDDED_DATABASE);
  return `postgresql://postgres:${password}@127.0.0.1:${port}/${EMBEDDED_DATABASE}`;
}

async function probe(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    throw unavailable(error, url) ?? error;
  } finally {
    await client.end().catch(() => {});
  }
}

/** A clear error for the usual ways a connection fails; undefined for anything else. */
function unavailable(error: unknown, url: string): DatabaseUnavailableError | undefined {
  const code = (error as { code?: string }).code;
  const where = safeUrl(url);
  const reasons: Record<string, string> = {
    ECONNREFUSED: `nothing is listening at ${where}: is PostgreSQL running?`,
    ENOTFOUND: `the host of ${where} is unknown`,
    ETIMEDOUT: `${where} did not answer in time`,
    '28P01': `PostgreSQL at ${where} refused the password`,
    '28000': `PostgreSQL at ${where} refused the login`,
    '3D000': `the database of ${where} does not exist: create it first`,
  };
  const reason = code ? reasons[code] : undefined;
  if (!reason && !(error instanceof Error && /timeout/i.test(error.message))) return undefined;
  return new DatabaseUnavailableError(
    `Cannot use the database: ${reason ?? `${where} did not answer in time`}. Check DATABASE_URL (or unset it to use the embedded PostgreSQL).`,
  );
}

/** The URL without its password, for messages and logs. */
export function safeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(an unparsable DATABASE_URL)';
  }
}
