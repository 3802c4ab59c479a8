// `npm test`: runs every test/**/*.test.ts with node's test runner against a real
// PostgreSQL. With DATABASE_URL set, that server is used (each test file creates
// and drops its own database on it); without, an embedded PostgreSQL is started
// in .data/test-pg for the run, so a fresh machine needs nothing installed.
// The suite runs on the sources compiled to JavaScript in a copy of the project (.data/test-build), without
// tsx's loader in every test process, CLI and thread it starts.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import pg from 'pg';
import { migrate } from '../src/store/migrate.js';
import { installJobQueues } from '../src/jobs/scheduler.js';

function findTests(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return findTests(full);
    return entry.name.endsWith('.test.ts') ? [full] : [];
  });
}

/** Runs `sql` on the server's admin database; resolves to its rows. */
async function onServer(url: string, sql: string): Promise<Record<string, string>[]> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    return (await admin.query(sql)).rows;
  } finally {
    await admin.end();
  }
}

/** Drops the databases that an interrupted run left on the tests' own embedded server (no other run uses it). */
async function dropLeftovers(url: string): Promise<void> {
  const leftovers = await onServer(url, "SELECT datname FROM pg_database WHERE NOT datistemplate AND datname <> 'postgres'");
  for (const { datname } of leftovers) await onServer(url, `DROP DATABASE ${pg.escapeIdentifier(datname)} WITH (FORCE)`);
}

/**
 * A migrated database with the job queue installed, which test databases are copied from (CREATE DATABASE …
 * TEMPLATE): copying it is cheaper than migrating and installing the queue in each of them.
 */
async function makeTemplate(serverUrl: string): Promise<{ name: string; drop(): Promise<void> }> {
  const name = `t_template_${process.pid}`;
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  await onServer(serverUrl, `DROP DATABASE IF EXISTS ${name}`);
  await onServer(serverUrl, `CREATE DATABASE ${name}`);
  await migrate(url.toString());
  await installJobQueues(url.toString());
  return {
    name,
    drop: async () => {
      await onServer(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

/**
 * The project under `out`: src/, test/, scripts/ and the top-level .ts files copied, each .ts compiled beside
 * itself (types stripped, as tsx does), everything else linked; a test's paths from its own file or the working
 * directory hold there.
 */
async function compiledCopy(out: string): Promise<void> {
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(out, { recursive: true });
  const copied = ['src', 'test', 'scripts', ...fs.readdirSync('.').filter((entry) => entry.endsWith('.ts'))];
  for (const entry of fs.readdirSync('.')) {
    if (entry === '.git' || entry === '.data') continue;
    if (copied.includes(entry)) fs.cpSync(entry, path.join(out, entry), { recursive: true });
    else fs.symlinkSync(path.resolve(entry), path.join(out, entry));
  }
  const sources = copied.flatMap((entry) =>
    (fs.statSync(entry).isDirectory() ? (fs.readdirSync(entry, { recursive: true }) as string[]).map((file) => path.join(entry, file)) : [entry]).filter(
      (file) => file.endsWith('.ts') && !file.endsWith('.d.ts') && !file.startsWith(path.join('src', 'dashboard', 'web')),
    ),
  );
  await build({ entryPoints: sources, outdir: out, outbase: '.', format: 'esm', platform: 'node', target: 'node20', sourcemap: 'linked', logLevel: 'warning' });
}

const filters = process.argv.slice(2);
const files = findTests('test')
  .filter((file) => filters.length === 0 || filters.some((f) => file.includes(f)))
  .sort();

let adminUrl = process.env.DATABASE_URL;
let stop: (() => Promise<void>) | undefined;
if (!adminUrl) {
  // Imported only here: it brings an exit hook that ends the process on Ctrl-C, stopping the server.
  const { startEmbeddedPostgres } = await import('../src/store/embedded.js');
  const embedded = await startEmbeddedPostgres({
    dir: path.resolve('.data/test-pg'),
    port: Number(process.env.TEST_PG_PORT || 54339),
    database: 'postgres',
  });
  adminUrl = embedded.adminUrl;
  stop = embedded.stop;
  await dropLeftovers(adminUrl);
  console.log(`# tests use the embedded PostgreSQL at 127.0.0.1:${process.env.TEST_PG_PORT || 54339}`);
} else {
  console.log('# tests use the PostgreSQL at DATABASE_URL');
}

// Runs train their networks one after another unless a test asks for threads (the threaded path has tests of its
// own): two test files at a time already keep both cores busy.
const trainingThreads = process.env.TRAINING_THREADS ?? '1';
const out = path.resolve('.data/test-build');
await compiledCopy(out);
const template = await makeTemplate(adminUrl);
const child = spawn(
  process.execPath,
  ['--enable-source-maps', '--test', '--test-concurrency=2', '--test-reporter=spec', ...files.map((f) => f.replace(/\.ts$/, '.js'))],
  {
    cwd: out,
    stdio: 'inherit',
    env: {
      ...process.env,
      TEST_ADMIN_DATABASE_URL: adminUrl,
      TEST_TEMPLATE_DATABASE: template.name,
      NODE_ENV: 'test',
      TRAINING_THREADS: trainingThreads,
    },
  },
);
// Ctrl-C reaches the test runner and the embedded server too. A shared server would keep the template, so it is
// dropped there; the embedded one is stopping by itself, and its next run drops what this one left.
let interrupted = false;
process.on('SIGINT', () => (interrupted = true));
const code: number = await new Promise((resolve) => child.on('exit', (c) => resolve(c ?? 1)));
if (interrupted && stop) process.exit(130);
await template.drop();
await stop?.();
process.exit(interrupted ? 130 : code);
