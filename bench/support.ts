// Shared by the benchmarks: a fresh database per run on the server of
// DATABASE_URL (or the embedded PostgreSQL), medians, and stderr logging so
// stdout carries only the one JSON line of figures.
import crypto from 'node:crypto';
import { pino } from 'pino';
import pg from 'pg';
import { loadConfig } from '../src/config.js';
import { connectDatabase, type OpenedDatabase } from '../src/store/connect.js';

export function benchLogger(bench: string) {
  return pino({ level: process.env.LOG_LEVEL || 'info', base: { bench } }, pino.destination({ dest: 2, sync: true }));
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export const round = (value: number, digits = 3) => Number(value.toFixed(digits));

/** The benchmark's database server: DATABASE_URL, or the embedded PostgreSQL. */
export function benchServer(log: ReturnType<typeof benchLogger>): Promise<OpenedDatabase> {
  return connectDatabase(loadConfig(), log);
}

/** Runs `work` against a new, empty database on `server`, dropping it afterwards. */
export async function withFreshDatabase<T>(server: OpenedDatabase, prefix: string, work: (url: string) => Promise<T>): Promise<T> {
  const name = `${prefix}_${crypto.randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  const url = new URL(server.url);
  url.pathname = `/${name}`;
  try {
    return await work(url.toString());
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
    await admin.end();
  }
}

/** A GraphQL client of `endpoint` with a bearer key: the answer's data, or an Error with the first error's message. */
export function graphqlClient(endpoint: string, key: string) {
  return async (query: string, variables: Record<string, unknown> = {}): Promise<any> => {
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: any; errors?: { message: string }[] };
    if (body.errors) throw new Error(body.errors[0].message);
    return body.data;
  };
}
