// `npm test`: runs every test/**/*.test.ts with node's test runner against a real
// PostgreSQL. With DATABASE_URL set, that server is used (each test file creates
// and drops its own database on it); without, an embedded PostgreSQL is started
// in .data/test-pg for the run, so a fresh machine needs nothing installed.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startEmbeddedPostgres } from '../src/store/embedded.js';

function findTests(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return findTests(full);
    return entry.name.endsWith('.test.ts') ? [full] : [];
  });
}

const filters = process.argv.slice(2);
const files = findTests('test')
  .filter((file) => filters.length === 0 || filters.some((f) => file.includes(f)))
  .sort();

let adminUrl = process.env.DATABASE_URL;
let stop: (() => Promise<void>) | undefined;
if (!adminUrl) {
  const embedded = await startEmbeddedPostgres({
    dir: path.resolve('.data/test-pg'),
    port: Number(process.env.TEST_PG_PORT || 54339),
    database: 'postgres',
  });
  adminUrl = embedded.adminUrl;
  stop = embedded.stop;
  console.log(`# tests use the embedded PostgreSQL at 127.0.0.1:${process.env.TEST_PG_PORT || 54339}`);
} else {
  console.log('# tests use the PostgreSQL at DATABASE_URL');
}

// Runs train their networks one after another unless a test asks for threads: from the TypeScript sources each
// thread loads them through tsx again (most of a small run's CPU), and the threaded path has tests of its own.
const trainingThreads = process.env.TRAINING_THREADS ?? '1';
const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', ...files], {
  stdio: 'inherit',
  env: { ...process.env, TEST_ADMIN_DATABASE_URL: adminUrl, NODE_ENV: 'test', TRAINING_THREADS: trainingThreads },
});
const code: number = await new Promise((resolve) => child.on('exit', (c) => resolve(c ?? 1)));
await stop?.();
process.exit(code);
