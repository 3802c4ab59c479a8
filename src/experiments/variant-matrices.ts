// An experiment's variants each serve from their run's prediction matrix: the served one (`predictions`) for
// the active run, else a table of its own, predictions_run_<run id>, of the same layout — written by
// re-scoring the run's saved model (as activateModel does) and renamed into place, or, when an experiment's
// run stops being the active one, the served matrix itself renamed by the swap (keptForExperiment). Dropped
// by the reaper once no live experiment uses it.
import type pg from 'pg';
import { inTransaction } from '../store/transaction.js';
import { withoutStatementTimeout } from '../store/db.js';

const PREFIX = 'predictions_run_';

/** The table of run `runId`'s matrix while an experiment serves it. */
export function variantMatrixTable(runId: number): string {
  if (!Number.isSafeInteger(runId) || runId <= 0) throw new Error(`not a run id: ${runId}`);
  return `${PREFIX}${runId}`;
}

/** Makes the staging table `staging` (src/training/writeback.ts) run `runId`'s variant matrix, replacing any before it. */
export async function installVariantMatrix(pool: pg.Pool, staging: string, runId: number): Promise<void> {
  const table = variantMatrixTable(runId);
  await inTransaction(pool, async (client) => {
    await client.query(`DROP TABLE IF EXISTS ${table}`);
    await client.query(`ALTER TABLE ${staging} RENAME TO ${table}`);
    await client.query(`ALTER INDEX ${staging}_key RENAME TO ${table}_key`);
  });
  // Statistics and the visibility map before it serves, so its reads are index-only from the first (as the served matrix's).
  await withoutStatementTimeout(pool, (client) => client.query(`VACUUM (ANALYZE) ${table}`));
}

/** The variant matrices that exist, by run id. */
export async function variantMatrices(pool: pg.Pool | pg.PoolClient): Promise<number[]> {
  const { rows } = await pool.query<{ name: string }>(
    `SELECT relname AS name FROM pg_class
     WHERE relnamespace = current_schema()::regnamespace AND relkind IN ('r', 'p') AND NOT relispartition AND relname LIKE 'predictions\\_run\\_%'`,
  );
  return rows.map((row) => Number(row.name.slice(PREFIX.length))).filter((id) => Number.isSafeInteger(id));
}

/**
 * Under the swap's lock: the table the outgoing served matrix is to be kept as, when the active run is a
 * variant of a preparing or running experiment (it keeps serving that variant); null otherwise.
 */
export async function keptForExperiment(client: pg.PoolClient): Promise<string | null> {
  const { rows } = await client.query<{ id: number }>(
    `SELECT r.id FROM model_runs r
     WHERE r.active AND EXISTS (SELECT 1 FROM experiments e, jsonb_array_elements(e.variants) v
                                WHERE e.status IN ('preparing', 'running') AND (v->>'runId')::int = r.id)`,
  );
  return rows[0] ? variantMatrixTable(rows[0].id) : null;
}

/**
 * Drops the variant matrices of runs no preparing or running experiment serves (nor one stopped within the
 * last minute: instances may still be answering with it until they hear it stopped); returns their run ids.
 */
export async function dropUnusedVariantMatrices(pool: pg.Pool): Promise<number[]> {
  const { rows } = await pool.query<{ runId: number }>(
    `SELECT DISTINCT (v->>'runId')::int AS "runId" FROM experiments, jsonb_array_elements(variants) v
     WHERE (status IN ('preparing', 'running') OR stopped_at > now() - interval '1 minute') AND v->>'runId' IS NOT NULL`,
  );
  const live = new Set(rows.map((row) => row.runId));
  const dropped: number[] = [];
  for (const runId of await variantMatrices(pool)) {
    if (live.has(runId)) continue;
    await pool.query(`DROP TABLE IF EXISTS ${variantMatrixTable(runId)}`);
    dropped.push(runId);
  }
  return dropped;
}

/** A user's or product's rows in every variant matrix (erasure: those tables have no foreign keys). */
export async function eraseFromVariantMatrices(pool: pg.Pool, column: 'user_id' | 'product_id', id: number): Promise<void> {
  for (const runId of await variantMatrices(pool)) {
    await pool.query(`DELETE FROM ${variantMatrixTable(runId)} WHERE ${column} = $1`, [id]).catch((error: { code?: string }) => {
      if (error.code !== '42P01') throw error; // dropped meanwhile
    });
  }
}
