// One pg pool per process, shared by the Prisma client (through @prisma/adapter-pg)
// and by the hand-written SQL in src/store/sql.ts, so both see the same
// connections, limits and statement counts.
import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/prisma/client.js';
import { pino } from 'pino';
import type { Logger } from '../log.js';
import { DatabaseHealth, isDatabaseUnavailable } from './faults.js';

const silentLogger: Logger = pino({ level: 'silent' });

// Ratings are REAL and counts are bigint in SQL; parse them as JS numbers.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
pg.types.setTypeParser(pg.types.builtins.FLOAT4, (v) => Number(v));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v));

export interface Store {
  pool: pg.Pool;
  prisma: PrismaClient;
  url: string;
  /** Whether the database is in an outage, as this process has seen it (src/store/faults.ts). */
  health: DatabaseHealth;
  close(): Promise<void>;
}

/** A connection that cannot be made within this fails at once (requests then answer 503 instead of waiting). */
export const CONNECT_TIMEOUT_MS = 2_000;

export interface StoreOptions {
  max?: number;
  /** statement_timeout of every connection (0 or unset: none); long maintenance sets its own (see withoutStatementTimeout). */
  statementTimeoutMs?: number;
  /** Where outages are reported; without it they are not. */
  log?: Logger;
  /**
   * false turns PostgreSQL's JIT off for these connections: the serving statements are short, and where JIT is
   * on (PostgreSQL 15's default) compiling their plans costs more than running them (docs/benchmarks.md).
   */
  jit?: boolean;
  /** Keep idle connections open (a serving pool: its connections hold the prepared serving statements). */
  keepIdle?: boolean;
}

export function createStore(url: string, options: StoreOptions = {}): Store {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    ...(options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs, idle_in_transaction_session_timeout: 60_000 } : {}),
    ...(options.jit === false ? { options: '-c jit=off' } : {}),
    ...(options.keepIdle ? { idleTimeoutMillis: 0 } : {}),
  });
  const health = new DatabaseHealth(options.log ?? silentLogger);
  // An idle client that loses its connection must not crash the process; its pool makes a new one.
  pool.on('error', (error) => (isDatabaseUnavailable(error) ? health.failed(error) : options.log?.warn({ err: error }, 'a database connection failed')));
  pool.on('connect', () => health.succeeded());
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  return {
    pool,
    prisma,
    url,
    health,
    async close() {
      await prisma.$disconnect();
      await pool.end();
    },
  };
}

/** Runs `work` on a connection of its own without the pool's statement timeout (VACUUM of a large matrix). */
export async function withoutStatementTimeout<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('SET statement_timeout = 0');
    return await work(client);
  } finally {
    // The setting stays with the session: a connection that cannot be reset is not given back.
    await client.query('RESET statement_timeout').then(
      () => client.release(),
      (error) => client.release(error as Error),
    );
  }
}

export type { PrismaClient };
