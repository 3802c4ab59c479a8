// Starts the real HTTP server on a free port against a test database, and
// speaks GraphQL to it over loopback the way a client would.
import pg from 'pg';
import { Catalog } from '../../src/store/catalog.js';
import { createApiServer, type ApiServer } from '../../src/api/server.js';
import { loadConfig } from '../../src/config.js';
import { logger } from '../../src/log.js';
import { createTestDatabase, type TestDatabase } from './db.js';

export const TEST_TOKEN = 'test-admin-token';

export interface GraphQLResponse<T = any> {
  status: number;
  data?: T;
  errors?: { message: string; extensions?: { code?: string; [k: string]: unknown } }[];
}

export interface TestApi {
  db: TestDatabase;
  server: ApiServer;
  url: string;
  /** Sends a query; `token` false sends no Authorization header. */
  gql<T = any>(query: string, variables?: Record<string, unknown>, token?: string | false): Promise<GraphQLResponse<T>>;
  /** Runs fn and returns how many SQL statements the process sent meanwhile. */
  countStatements(fn: () => Promise<unknown>): Promise<number>;
  close(): Promise<void>;
}

let statements = 0;
const originalQuery = pg.Client.prototype.query;
// Counts every statement any pg client sends (Prisma's adapter uses pg too).
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  statements++;
  return (originalQuery as (...a: unknown[]) => unknown).apply(this, args);
} as typeof pg.Client.prototype.query;

export async function startTestApi(env: Record<string, string> = {}): Promise<TestApi> {
  const db = await createTestDatabase('api');
  const config = { ...loadConfig({ ...process.env, ...env }), databaseUrl: db.url };
  const server = await createApiServer({
    catalog: new Catalog(db.store.prisma, db.store.pool),
    config,
    log: logger,
    adminToken: TEST_TOKEN,
    pool: db.store.pool,
  });
  const url = await server.listen(0, '127.0.0.1');
  return {
    db,
    server,
    url,
    async gql(query, variables = {}, token = TEST_TOKEN) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (token !== false) headers.authorization = `Bearer ${token}`;
      const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
      const body = (await response.json()) as GraphQLResponse;
      return { status: response.status, data: body.data, errors: body.errors };
    },
    async countStatements(fn) {
      const before = statements;
      await fn();
      return statements - before;
    },
    async close() {
      await server.close();
      await db.drop();
    },
  };
}

/** The error code of the first error, for terse assertions. */
export function codeOf(response: GraphQLResponse): string | undefined {
  return response.errors?.[0]?.extensions?.code;
}
