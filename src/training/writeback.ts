// Writes a completed prediction matrix into PostgreSQL and swaps it in whole:
// rows stream through COPY (binary format) into a staging table, the index is
// built there, and one transaction replaces the served table with it, so a
// reader sees the whole old matrix or the whole new one, never a mix or a gap.
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { Writable } from 'node:stream';
import { once } from 'node:events';
import crypto from 'node:crypto';

const SERVED_TABLE = 'predictions';
const SERVED_INDEX = 'predictions_user_id_score_product_id_key';

// PostgreSQL's binary COPY framing: signature, flags, header extension length.
const COPY_SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'binary');
const ROW_BYTES = 2 + 3 * (4 + 4); // field count, then three (length, value) pairs
const CHUNK_ROWS = 16_384;

/** A fresh staging table name for a run (unique, so two write-backs never collide). */
export function stagingTableFor(runId: number): string {
  return `predictions_staging_${runId}_${crypto.randomBytes(4).toString('hex')}`;
}

/** The run a staging table belongs to. */
export function runOfStagingTable(name: string): number | null {
  const match = /^predictions_staging_(\d+)_/.exec(name);
  return match ? Number(match[1]) : null;
}

/** Encodes rows as binary COPY tuples of (int4 user_id, int4 product_id, float4 score). */
class BinaryRowEncoder {
  private buffer = Buffer.allocUnsafe(CHUNK_ROWS * ROW_BYTES);
  private offset = 0;

  constructor(private readonly flush: (chunk: Buffer) => Promise<void>) {}

  async header(): Promise<void> {
    const head = Buffer.alloc(COPY_SIGNATURE.length + 8);
    COPY_SIGNATURE.copy(head, 0);
    await this.flush(head);
  }

  private full: Buffer[] = [];

  /** Synchronous on purpose (1.6 M rows for MovieLens): full chunks are flushed by drain(). */
  row(userId: number, productId: number, score: number): void {
    const b = this.buffer;
    let o = this.offset;
    o = b.writeInt16BE(3, o);
    o = b.writeInt32BE(4, o);
    o = b.writeInt32BE(userId, o);
    o = b.writeInt32BE(4, o);
    o = b.writeInt32BE(productId, o);
    o = b.writeInt32BE(4, o);
    o = b.writeFloatBE(score, o);
    this.offset = o;
    if (o + ROW_BYTES > b.length) {
      this.full.push(b.subarray(0, o));
      this.buffer = Buffer.allocUnsafe(CHUNK_ROWS * ROW_BYTES);
      this.offset = 0;
    }
  }

  /** Sends the full chunks (and, with `all`, the partial one). */
  async drain(all = false): Promise<void> {
    if (all && this.offset > 0) {
      this.full.push(this.buffer.subarray(0, this.offset));
      this.buffer = Buffer.allocUnsafe(CHUNK_ROWS * ROW_BYTES);
      this.offset = 0;
    }
    const chunks = this.full;
    this.full = [];
    for (const chunk of chunks) await this.flush(chunk);
  }

  async trailer(): Promise<void> {
    await this.drain(true);
    const end = Buffer.alloc(2);
    end.writeInt16BE(-1, 0);
    await this.flush(end);
  }
}

export interface UserScores {
  /** Internal user id. */
  userId: number;
  /** Internal product ids, aligned with scores. */
  productIds: Int32Array;
  scores: Float32Array;
  /** Internal ids of the products the user has rated: left out of the matrix. */
  rated: Set<number>;
}

/**
 * Streams one run's matrix into its staging table. Rows of each user are written
 * in score order so the table is laid out the way it is read.
 */
export class MatrixWriter {
  rows = 0;
  private encoder!: BinaryRowEncoder;
  private stream!: Writable;

  private constructor(
    private readonly client: pg.PoolClient,
    readonly table: string,
    /** Keep only each user's best `topK` products; null keeps them all. */
    private readonly topK: number | null,
  ) {}

  static async open(pool: pg.Pool, runId: number, topK: number | null): Promise<MatrixWriter> {
    const client = await pool.connect();
    const table = stagingTableFor(runId);
    try {
      await client.query(`DROP TABLE IF EXISTS ${table}`);
      // Same shape as the served table; the index comes after the load (much faster than during).
      await client.query(`CREATE TABLE ${table} (user_id integer NOT NULL, product_id integer NOT NULL, score real NOT NULL)`);
      const writer = new MatrixWriter(client, table, topK);
      writer.stream = client.query(copyFrom(`COPY ${table} (user_id, product_id, score) FROM STDIN (FORMAT binary)`));
      writer.encoder = new BinaryRowEncoder(async (chunk) => {
        if (!writer.stream.write(chunk)) await once(writer.stream, 'drain');
      });
      await writer.encoder.header();
      return writer;
    } catch (error) {
      client.release();
      throw error;
    }
  }

  async writeUser({ userId, productIds, scores, rated }: UserScores): Promise<void> {
    const order: number[] = [];
    // A product id of -1 marks a product deleted since the model was trained.
    for (let j = 0; j < productIds.length; j++) if (productIds[j] >= 0 && !rated.has(productIds[j])) order.push(j);
    order.sort((a, b) => scores[b] - scores[a] || productIds[b] - productIds[a]);
    const keep = this.topK === null ? order.length : Math.min(this.topK, order.length);
    // Ascending (score, product_id): the order of the index, read backwards for "best first".
    for (let k = keep - 1; k >= 0; k--) {
      const j = order[k];
      this.encoder.row(userId, productIds[j], scores[j]);
    }
    this.rows += keep;
    await this.encoder.drain();
  }

  /** Ends the COPY and builds the index; the matrix is then ready to swap in. */
  async finish(): Promise<number> {
    await this.encoder.trailer();
    const done = once(this.stream, 'finish');
    this.stream.end();
    await done;
    await this.client.query(
      `CREATE UNIQUE INDEX ${this.table}_key ON ${this.table} (user_id, score, product_id)`,
    );
    await this.client.query(`ANALYZE ${this.table}`);
    this.client.release();
    return this.rows;
  }

  /** Gives up: the staging table is dropped, the served matrix is untouched. */
  async abort(): Promise<void> {
    try {
      this.stream?.destroy();
    } catch {
      // the connection is discarded below anyway
    }
    this.client.release(true);
  }
}

/**
 * In one transaction: replaces the served matrix with the staging table of
 * `runId` and runs `alsoInTransaction` (which marks the run active). Readers
 * blocked meanwhile wait a few milliseconds and then read the new matrix.
 */
export async function swapInMatrix(
  pool: pg.Pool,
  staging: string,
  alsoInTransaction: (client: pg.PoolClient) => Promise<void>,
): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(`LOCK TABLE ${SERVED_TABLE} IN ACCESS EXCLUSIVE MODE`);
    await client.query(`DROP TABLE ${SERVED_TABLE}`);
    await client.query(`ALTER TABLE ${staging} RENAME TO ${SERVED_TABLE}`);
    await client.query(`ALTER INDEX ${staging}_key RENAME TO ${SERVED_INDEX}`);
    await alsoInTransaction(client);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

export async function dropStaging(pool: pg.Pool, staging: string): Promise<void> {
  await pool.query(`DROP TABLE IF EXISTS ${staging}`);
}

/** Staging tables left behind by runs that are no longer running (their process died mid-write). */
export async function dropOrphanedStaging(pool: pg.Pool, runningRunIds: Set<number>): Promise<string[]> {
  const { rows } = await pool.query<{ name: string }>(
    `SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() AND tablename LIKE 'predictions\\_staging\\_%'`,
  );
  const orphans = rows.map((r) => r.name).filter((name) => !runningRunIds.has(runOfStagingTable(name) ?? -1));
  for (const name of orphans) await pool.query(`DROP TABLE IF EXISTS ${name}`);
  return orphans;
}
