// The ArtifactStore in PostgreSQL (table model_artifacts): a run's files are
// written in one transaction with the hash recorded on its row, so a run never
// names a model that is not all there.
import type pg from 'pg';
import { contentHash, sha256, type ArtifactFiles, type ArtifactStore } from './artifact-store.js';
import { inTransaction } from '../transaction.js';

export class PostgresArtifactStore implements ArtifactStore {
  constructor(private readonly pool: pg.Pool) {}

  async save(runId: number, files: ArtifactFiles): Promise<string> {
    const hash = contentHash(files);
    await inTransaction(this.pool, async (client) => {
      await client.query('DELETE FROM model_artifacts WHERE run_id = $1', [runId]);
      for (const [file, content] of files) {
        await client.query('INSERT INTO model_artifacts (run_id, path, content, sha256) VALUES ($1, $2, $3, $4)', [runId, file, content, sha256(content)]);
      }
      const { rowCount } = await client.query('UPDATE model_runs SET artifact_hash = $2 WHERE id = $1', [runId, hash]);
      if (rowCount !== 1) throw new Error(`run ${runId} does not exist`);
    });
    return hash;
  }

  async load(runId: number): Promise<{ hash: string; files: ArtifactFiles } | null> {
    const hash = await this.hash(runId);
    if (!hash) return null;
    const { rows } = await this.pool.query<{ path: string; content: Buffer; sha256: string }>(
      'SELECT path, content, sha256 FROM model_artifacts WHERE run_id = $1 ORDER BY path',
      [runId],
    );
    const files: ArtifactFiles = new Map();
    for (const row of rows) {
      if (sha256(row.content) !== row.sha256) throw new Error(`run ${runId}: the stored ${row.path} does not match its hash`);
      files.set(row.path, row.content);
    }
    if (contentHash(files) !== hash) throw new Error(`run ${runId}: the stored model does not match the run's artifact hash`);
    return { hash, files };
  }

  async hash(runId: number): Promise<string | null> {
    const { rows } = await this.pool.query<{ hash: string | null }>('SELECT artifact_hash AS hash FROM model_runs WHERE id = $1', [runId]);
    return rows[0]?.hash ?? null;
  }
}
