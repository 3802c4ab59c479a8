// Starts the real HTTP server on a free port against a test database, and
// speaks GraphQL to it over loopback the way a client would.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startService, type Service } from '../../src/service.js';
import type { ApiServer } from '../../src/api/server.js';
import { loadConfig } from '../../src/config.js';
import { pino } from 'pino';
import { logger, REDACTED_PATHS, type Logger } from '../../src/log.js';
import { createTestDatabase, type TestDatabase } from './db.js';

export const TEST_TOKEN = 'test-admin-token-0123';

export interface GraphQLResponse<T = any> {
  status: number;
  data?: T;
  errors?: { message: string; extensions?: { code?: string; [k: string]: unknown } }[];
}

export interface TestApi {
  db: TestDatabase;
  server: ApiServer;
  service: Service;
  url: string;
  /** Where the service keeps its models (a fresh folder per API). */
  modelsDir: string;
  /** Sends a query; `token` false sends no Authorization header. */
  gql<T = any>(query: string, variables?: Record<string, unknown>, token?: string | false): Promise<GraphQLResponse<T>>;
  /**
   * How many SQL statements the store's pool sends while fn runs, in steady
   * state: the fewest over a few runs, so that a cache refresh that happens to
   * fall into one run (the active model, popularity, new products) is not
   * counted as the query's own work. An N+1 pattern shows in every run.
   */
  countStatements(fn: () => Promise<unknown>, runs?: number): Promise<number>;
  /** Makes an API key with `role` through the admin mutation and returns the key. */
  createKey(role: 'frontend' | 'backend' | 'admin', name?: string): Promise<string>;
  close(): Promise<void>;
}

let statements = 0;
const storeClients = new WeakSet<pg.Client>();
const originalQuery = pg.Client.prototype.query;
// Counts the statements sent by the store's pool (which Prisma's adapter uses
// too), not those of the job queue's own connections.
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  if (storeClients.has(this)) statements++;
  return (originalQuery as (...a: unknown[]) => unknown).apply(this, args);
} as typeof pg.Client.prototype.query;

/** A logger whose JSON lines are kept in memory, to read what the service logged. */
export function captureLog(): { log: Logger; lines: () => Record<string, unknown>[]; text: () => string } {
  let text = '';
  const log = pino(
    { level: 'debug', base: { service: 'recsys' }, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } },
    {
      write: (chunk: string) => {
        text += chunk;
      },
    },
  );
  return {
    log,
    text: () => text,
    lines: () =>
      text
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line)),
  };
}

/** `options.database`: serve that database (the caller drops it) instead of a new one. */
export async function startTestApi(env: Record<string, string> = {}, options: { log?: Logger; database?: TestDatabase } = {}): Promise<TestApi> {
  const db = options.database ?? (await createTestDatabase('api'));
  db.store.pool.on('connect', (client) => storeClients.add(client));
  const config = {
    ...loadConfig({ ...process.env, RETRAIN_CRON: 'off', ...env }),
    databaseUrl: db.url,
    modelsDir: fs.mkdtempSync(path.join(os.tmpdir(), 'models-')),
  };
  const service = await startService(db.store, config, options.log ?? logger, TEST_TOKEN);
  const { server } = service;
  const url = await server.listen(0, '127.0.0.1');
  // As a load balancer does: no request before /readyz says ready (the warm-up is done).
  for (const deadline = Date.now() + 60_000; (await fetch(url.replace(/\/graphql$/, '/readyz'))).status !== 200; ) {
    if (Date.now() > deadline) throw new Error('the test API was not ready within 60 s');
    await new Promise((r) => setTimeout(r, 20));
  }
  const api: TestApi = {
    db,
    server,
    service,
    url,
    modelsDir: config.modelsDir,
    async gql(query, variables = {}, token = TEST_TOKEN) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (token !== false) headers.authorization = `Bearer ${token}`;
      const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
      const body = (await response.json()) as GraphQLResponse;
      return { status: response.status, data: body.data, errors: body.errors };
    },
    async createKey(role, name = `${role} key`) {
      const made = await api.gql(`mutation($name: String!, $role: Role!) { createApiKey(name: $name, role: $role) { key } }`, {
        name,
        role: role.toUpperCase(),
      });
      if (!made.data?.createApiKey) throw new Error(`could not make a ${role} key: ${JSON.stringify(made.errors)}`);
      return made.data.createApiKey.key as string;
    },
    async countStatements(fn, runs = 3) {
      let fewest = Infinity;
      for (let run = 0; run < runs; run++) {
        const before = statements;
        await fn();
        fewest = Math.min(fewest, statements - before);
      }
      return fewest;
    },
    async close() {
      await service.close();
      if (!options.database) await db.drop();
      fs.rmSync(config.modelsDir, { recursive: true, force: true });
    },
  };
  return api;
}

/** The error code of the first error, for terse assertions. */
export function codeOf(response: GraphQLResponse): string | undefined {
  return response.errors?.[0]?.extensions?.code;
}

/** Starts a run through retrain (admin) and waits for it to end; returns the run with `fields`. */
export async function retrainAndWait(
  api: TestApi,
  config: Record<string, unknown>,
  fields = 'id status error metrics { catalog { split users network { ndcg precision recall f1 hitRate coverage } popularity { ndcg } baseline { ndcg } } }',
): Promise<any> {
  const started = await api.gql('mutation($config: TrainingConfigInput) { retrain(config: $config, force: true) { id } }', { config });
  if (!started.data?.retrain) throw new Error(`retrain failed: ${JSON.stringify(started.errors)}`);
  const { id } = started.data.retrain;
  for (const deadline = Date.now() + 240_000; ; ) {
    const run = (await api.gql(`query($id: ID!) { modelRun(id: $id) { ${fields} } }`, { id })).data.modelRun;
    if (!['QUEUED', 'RUNNING'].includes(run.status)) return run;
    if (Date.now() > deadline) throw new Error(`run ${id} did not finish: ${JSON.stringify(run)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
