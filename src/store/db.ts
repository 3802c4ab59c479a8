// One pg pool per process, shared by the Prisma client (through @prisma/adapter-pg)
// and by the hand-written SQL in src/store/sql.ts, so both see the same
// connections, limits and statement counts.
import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/prisma/client.js';

// Ratings are REAL and counts are bigint in SQL; parse them as JS numbers.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
pg.types.setTypeParser(pg.types.builtins.FLOAT4, (v) => Number(v));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v));

export interface Store {
  pool: pg.Pool;
  prisma: PrismaClient;
  url: string;
  close(): Promise<void>;
}

export function createStore(url: string, options: { max?: number } = {}): Store {
  const pool = new pg.Pool({ connectionString: url, max: options.max ?? 10 });
  // An idle client that loses its connection must not crash the process.
  pool.on('error', () => {});
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  return {
    pool,
    prisma,
    url,
    async close() {
      await prisma.$disconnect();
      await pool.end();
    },
  };
}

export type { PrismaClient };
