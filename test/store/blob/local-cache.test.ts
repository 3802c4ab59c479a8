// MODELS_DIR as a verified cache of the models in PostgreSQL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestDatabase, type TestDatabase } from '../../helpers/db.js';
import { modelArtifacts } from '../../../src/store/blob/index.js';
import { contentHash, type ArtifactFiles } from '../../../src/store/blob/artifact-store.js';
import { cacheFolderName, readFolder } from '../../../src/store/blob/local-cache.js';

let db: TestDatabase;
let runId: number;
const dirs: string[] = [];
const tempDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'blob-'));
  dirs.push(dir);
  return dir;
};

before(async () => {
  db = await createTestDatabase('blob');
  runId = (await db.store.prisma.modelRun.create({ data: { trigger: 'cli', config: {}, status: 'succeeded' } })).id;
});
after(async () => {
  await db?.drop();
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

const FILES: ArtifactFiles = new Map([
  ['model.json', Buffer.from('{"a":1}')],
  ['weights.bin', Buffer.from([1, 2, 3, 4, 5])],
  ['member-1/model.json', Buffer.from('{"b":2}')],
]);

async function written(files: ArtifactFiles, modelsDir: string): Promise<string> {
  const scratch = await modelArtifacts(db.store.pool, modelsDir).scratchFolder(runId);
  for (const [file, content] of files) {
    fs.mkdirSync(path.dirname(path.join(scratch, file)), { recursive: true });
    fs.writeFileSync(path.join(scratch, file), content);
  }
  return scratch;
}

test('a published model is stored with its hash and kept locally under the run id and hash', async () => {
  const modelsDir = tempDir();
  const { dir, hash } = await modelArtifacts(db.store.pool, modelsDir).publish(runId, await written(FILES, modelsDir));
  assert.equal(hash, contentHash(FILES));
  assert.equal(path.basename(dir), cacheFolderName(runId, hash));
  assert.deepEqual(await readFolder(dir), FILES);
  const run = await db.store.prisma.modelRun.findUniqueOrThrow({ where: { id: runId } });
  assert.equal(run.artifactHash, hash);
  const rows = await db.store.pool.query('SELECT path FROM model_artifacts WHERE run_id = $1 ORDER BY path', [runId]);
  assert.deepEqual(
    rows.rows.map((r) => r.path),
    ['member-1/model.json', 'model.json', 'weights.bin'],
  );
});

test('another machine with an empty MODELS_DIR fetches the same files', async () => {
  const elsewhere = tempDir();
  const dir = await modelArtifacts(db.store.pool, elsewhere).folder(runId);
  assert.ok(dir.startsWith(elsewhere));
  assert.deepEqual(await readFolder(dir), FILES);
});

test('a local copy that does not match the run is refused and fetched again', async () => {
  const modelsDir = tempDir();
  const warned: string[] = [];
  const cache = modelArtifacts(db.store.pool, modelsDir, { warn: (_: unknown, message: string) => warned.push(message) } as never);
  const dir = await cache.folder(runId);
  // Another database's run of the same id, or an edit: the same folder name, other content.
  fs.writeFileSync(path.join(dir, 'weights.bin'), Buffer.from([9, 9, 9]));
  assert.equal(await cache.folder(runId), dir);
  assert.deepEqual(await readFolder(dir), FILES);
  assert.match(warned.join('\n'), /does not match the run's model; fetching it again/);
});

test('stored content that does not match its hash is refused, not served', async () => {
  await db.store.pool.query(`UPDATE model_artifacts SET content = '\\x00'::bytea WHERE run_id = $1 AND path = 'weights.bin'`, [runId]);
  await assert.rejects(modelArtifacts(db.store.pool, tempDir()).folder(runId), /does not match its hash/);
  const none = (await db.store.prisma.modelRun.create({ data: { trigger: 'cli', config: {} } })).id;
  await assert.rejects(modelArtifacts(db.store.pool, tempDir()).folder(none), new RegExp(`run ${none} has no saved model in the database`));
});
