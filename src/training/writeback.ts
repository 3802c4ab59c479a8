// Writes a completed prediction matrix into PostgreSQL and swaps it in whole:
// rows stream through COPY (binary format) into a staging table (partitioned by
// user id ranges), the indexes are built there, and one transaction replaces the
// served table with it, so a reader sees the whole old matrix or the whole new
// one, never a mix or a gap.
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Writable } from 'node:stream';
import { once } from 'node:events';
import crypto from 'node:crypto';
import { inTransaction } from '../store/transaction.js';

const SERVED_TABLE = 'predictions';
const SERVED_INDEX = 'predictions_user_id_score_product_id_key';

// PostgreSQL's binary COPY framing: signature, flags, header extension length.
const COPY_SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'binary');
const ROW_BYTES = 2 + 4 * (4 + 4); // field count, then four (length, value) pairs
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

/**
 * The first key of the session advisory lock a process holds on run N's staging tables while it
 * writes and swaps them (pg_advisory_lock(STAGING_LOCK_CLASS, N)); the second is the run id.
 */
const STAGING_LOCK_CLASS = 0x5747;

/**
 * Holds run `runId`'s staging lock on a connection of its own until `release()`.
 * WHY: the reaper (dropOrphanedStaging, every minute and in every instance) drops staging tables
 * of runs that are not running; a re-activated run (activateModel) is `succeeded` while its
 * matrix is re-scored, and its staging table was dropped under it when the reaper came by.
 * A session lock goes with its connection, so a process that dies leaves nothing held.
 */
export async function holdStagingLock(connectionString: string, runId: number): Promise<() => Promise<void>> {
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: 10_000 });
  // Lost with its connection (a database restart): the lock goes with it, and the write that needed it fails on its own.
  client.on('error', () => {});
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1, $2)', [STAGING_LOCK_CLASS, runId]);
  } catch (error) {
    await client.end().catch(() => {});
    throw error;
  }
  return async () => {
    await client.end().catch(() => {}); // ends the session, and the lock with it
  };
}

/** Encodes rows as binary COPY tuples of (int4 user_id, int4 product_id, float4 score, float4 rating). */
export class BinaryRowEncoder {
  private buffer = Buffer.allocUnsafe(CHUNK_ROWS * ROW_BYTES);
  private view = new DataView(this.buffer.buffer, this.buffer.byteOffset, this.buffer.length);
  private offset = 0;

  constructor(private readonly flush: (chunk: Buffer) => Promise<void>) {}

  async header(): Promise<void> {
    const head = Buffer.alloc(COPY_SIGNATURE.length + 8);
    COPY_SIGNATURE.copy(head, 0);
    await this.flush(head);
  }

  private full: Buffer[] = [];

  /** Synchronous on purpose (1.6 M rows for MovieLens): full chunks are flushed by drain(). */
  row(userId: number, productId: number, score: number, rating: number): void {
    const v = this.view;
    const o = this.offset;
    v.setInt16(o, 4);
    v.setInt32(o + 2, 4);
    v.setInt32(o + 6, userId);
    v.setInt32(o + 10, 4);
    v.setInt32(o + 14, productId);
    v.setInt32(o + 18, 4);
    v.setFloat32(o + 22, score);
    v.setInt32(o + 26, 4);
    v.setFloat32(o + 30, rating);
    this.offset = o + ROW_BYTES;
    if (this.offset + ROW_BYTES > this.buffer.length) this.pushFull();
  }

  private pushFull(): void {
    this.full.push(this.buffer.subarray(0, this.offset));
    this.buffer = Buffer.allocUnsafe(CHUNK_ROWS * ROW_BYTES);
    this.view = new DataView(this.buffer.buffer, this.buffer.byteOffset, this.buffer.length);
    this.offset = 0;
  }

  /** Sends the full chunks (and, with `all`, the partial one). */
  async drain(all = false): Promise<void> {
    if (all && this.offset > 0) this.pushFull();
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
  /** Rank scores: what the user's list is ordered by (src/model/rank-blend.ts); -Infinity leaves a product out. */
  scores: Float32Array;
  /** Predicted ratings (unclipped), aligned with scores. */
  ratings: Float32Array;
  /** Internal ids of the products the user has rated: left out of the matrix. */
  rated: ArrayLike<number>;
}

/** About this many rows per partition: small enough to overlap, large enough to amortise. */
const ROWS_PER_PARTITION = 400_000;
const MAX_PARTITIONS = 8;

/**
 * Streams one run's matrix into its staging table. The table is partitioned by
 * ranges of user ids, and users are written in id order: while the next
 * partition is being scored and copied, PostgreSQL already builds the index of
 * the previous one on another connection, so the index build (as costly as the
 * COPY itself) mostly overlaps with the rest of the work. Rows of each user are
 * written in index order, which makes each partition's index build a pass over
 * presorted input.
 */
export class MatrixWriter {
  rows = 0;
  private current = -1;
  private lastUserId = -Infinity;
  private encoder?: BinaryRowEncoder;
  private stream?: Writable;
  private readonly indexing: Promise<void>[] = [];
  // Reused between users: one sort key per product.
  private keys = new Float64Array(0);
  // Marks the current user's rated products, by internal id (cleared after each user).
  private ratedMark = new Uint8Array(0);
  private readonly scoreBits = new Uint32Array(1);
  private readonly scoreFloat = new Float32Array(this.scoreBits.buffer);

  private constructor(
    private readonly pool: pg.Pool,
    private readonly client: pg.PoolClient,
    readonly table: string,
    /** Partition names with the first user id each holds (ascending). */
    private readonly partitions: { name: string; fromUserId: number }[],
    /** Keep only each user's best `topK` products; null keeps them all. */
    private readonly topK: number | null,
  ) {}

  /**
   * Creates the staging table for `userIds` (the users that will be written,
   * in any order) and about `expectedRows` rows.
   */
  static async open(pool: pg.Pool, runId: number, topK: number | null, userIds: ArrayLike<number>, expectedRows: number): Promise<MatrixWriter> {
    const table = stagingTableFor(runId);
    const sorted = Int32Array.from(userIds).sort();
    const count = Math.max(1, Math.min(MAX_PARTITIONS, sorted.length, Math.round(expectedRows / ROWS_PER_PARTITION)));
    const partitions = Array.from({ length: count }, (_, k) => ({
      name: `${table}_p${k}`,
      fromUserId: k === 0 ? -2147483648 : sorted[Math.floor((k * sorted.length) / count)],
    }));
    const client = await pool.connect();
    try {
      await client.query(
        `CREATE TABLE ${table} (user_id integer NOT NULL, product_id integer NOT NULL, score real NOT NULL, rating real) PARTITION BY RANGE (user_id)`,
      );
      for (const [k, partition] of partitions.entries()) {
        const to = k + 1 < count ? String(partitions[k + 1].fromUserId) : 'MAXVALUE';
        const from = k === 0 ? 'MINVALUE' : String(partition.fromUserId);
        await client.query(`CREATE TABLE ${partition.name} PARTITION OF ${table} FOR VALUES FROM (${from}) TO (${to})`);
      }
      return new MatrixWriter(pool, client, table, partitions, topK);
    } catch (error) {
      client.release();
      throw error;
    }
  }

  /** Writes one user's unrated products; users must come in ascending id order. */
  async writeUser({ userId, productIds, scores, ratings, rated }: UserScores): Promise<void> {
    if (userId <= this.lastUserId) throw new Error(`users must be written in ascending id order (${userId} after ${this.lastUserId})`);
    this.lastUserId = userId;
    while (this.current + 1 < this.partitions.length && userId >= this.partitions[this.current + 1].fromUserId) {
      await this.startPartition(this.current + 1);
    }
    // Sort by (score, position) with one native numeric sort of packed keys rather
    // than a comparator: a positive float32's bit pattern orders like its value,
    // and 2^31 bits × 2^21 positions stays within float64's exact integers.
    if (productIds.length >= 1 << 21) throw new Error('more than 2 million products: widen the sort keys');
    if (this.keys.length < productIds.length) this.keys = new Float64Array(productIds.length);
    const mark = this.markRated(rated, 1);
    let n = 0;
    for (let j = 0; j < productIds.length; j++) {
      // A product id of -1 marks a product deleted since the model was trained.
      const id = productIds[j];
      if (id < 0 || (id < mark.length && mark[id] === 1) || scores[j] === -Infinity) continue;
      this.scoreFloat[0] = Math.max(scores[j], 0);
      this.keys[n++] = this.scoreBits[0] * 2097152 + j;
    }
    this.markRated(rated, 0);
    const keys = this.keys.subarray(0, n).sort();
    // Ascending (score, product): the order of the index, read backwards for "best first".
    const start = this.topK === null ? 0 : Math.max(0, n - this.topK);
    for (let k = start; k < n; k++) {
      const j = keys[k] % 2097152;
      this.encoder!.row(userId, productIds[j], scores[j], ratings[j]);
    }
    this.rows += n - start;
    await this.encoder!.drain();
  }

  private markRated(rated: ArrayLike<number>, value: 0 | 1): Uint8Array {
    for (let k = 0; k < rated.length; k++) {
      const id = rated[k];
      if (id >= this.ratedMark.length) {
        const grown = new Uint8Array(Math.max(id + 1, this.ratedMark.length * 2));
        grown.set(this.ratedMark);
        this.ratedMark = grown;
      }
      this.ratedMark[id] = value;
    }
    return this.ratedMark;
  }

  /** Ends the COPY of the current partition, starts its index build, and opens the COPY of partition k. */
  private async startPartition(k: number): Promise<void> {
    await this.endPartition();
    this.current = k;
    const stream = this.client.query(copyFrom(`COPY ${this.partitions[k].name} (user_id, product_id, score, rating) FROM STDIN (FORMAT binary)`));
    this.stream = stream;
    this.encoder = new BinaryRowEncoder(async (chunk) => {
      if (!stream.write(chunk)) await once(stream, 'drain');
    });
    await this.encoder.header();
  }

  private async endPartition(): Promise<void> {
    if (!this.stream || !this.encoder) return;
    await this.encoder.trailer();
    const done = once(this.stream, 'finish');
    this.stream.end();
    await done;
    this.stream = undefined;
    const name = this.partitions[this.current].name;
    const building = this.buildIndex(name);
    building.catch(() => {}); // awaited in finish()
    this.indexing.push(building);
  }

  private async buildIndex(partition: string): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query(`SET maintenance_work_mem = '256MB'`);
      await client.query(`CREATE UNIQUE INDEX ${partition}_key ON ${partition} (user_id, score, product_id) INCLUDE (rating)`);
    } finally {
      client.release();
    }
  }

  /** Ends the last COPY and waits for the indexes; the matrix is then ready to swap in. */
  async finish(): Promise<number> {
    if (this.current === -1) await this.startPartition(0);
    await this.endPartition();
    // Partitions no user fell into still need their index.
    for (let k = this.current + 1; k < this.partitions.length; k++) this.indexing.push(this.buildIndex(this.partitions[k].name));
    await Promise.all(this.indexing);
    await this.client.query(`CREATE UNIQUE INDEX ${this.table}_key ON ONLY ${this.table} (user_id, score, product_id) INCLUDE (rating)`);
    for (const { name } of this.partitions) await this.client.query(`ALTER INDEX ${this.table}_key ATTACH PARTITION ${name}_key`);
    this.client.release();
    return this.rows;
  }

  /** Gives up: the caller drops the staging table; the served matrix is untouched. */
  async abort(): Promise<void> {
    try {
      this.stream?.destroy();
    } catch {
      // the connection is discarded below anyway
    }
    this.client.release(true);
    await Promise.allSettled(this.indexing);
  }
}

/**
 * In one transaction: replaces the served matrix with the staging table of
 * `runId` and runs `alsoInTransaction` (which marks the run active). Readers
 * blocked meanwhile wait a few milliseconds and then read the new matrix.
 */
/**
 * How long the swap waits for the served table's lock before it gives up and tries again: while it waits,
 * every reader queues behind it, so a slow reader must not make the swap hold up everyone for long.
 */
const SWAP_LOCK_TIMEOUT_MS = 2_000;
const SWAP_ATTEMPTS = 5;

export async function swapInMatrix(
  pool: pg.Pool,
  staging: string,
  alsoInTransaction: (client: pg.PoolClient) => Promise<void>,
  onRetry: (attempt: number) => void = () => {},
  /** Where the outgoing matrix is kept rather than dropped (an experiment still serves its run), read under the lock. */
  keepOutgoingAs: (client: pg.PoolClient) => Promise<string | null> = async () => null,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await inTransaction(pool, async (client) => {
        await client.query(`SET LOCAL lock_timeout = ${SWAP_LOCK_TIMEOUT_MS}`);
        await client.query(`LOCK TABLE ${SERVED_TABLE} IN ACCESS EXCLUSIVE MODE`);
        const keep = await keepOutgoingAs(client);
        if (keep) {
          await client.query(`DROP TABLE IF EXISTS ${keep}`);
          await client.query(`ALTER TABLE ${SERVED_TABLE} RENAME TO ${keep}`);
          await client.query(`ALTER INDEX ${SERVED_INDEX} RENAME TO ${keep}_key`);
        } else {
          await client.query(`DROP TABLE ${SERVED_TABLE}`);
        }
        await client.query(`ALTER TABLE ${staging} RENAME TO ${SERVED_TABLE}`);
        await client.query(`ALTER INDEX ${staging}_key RENAME TO ${SERVED_INDEX}`);
        await alsoInTransaction(client);
      });
      return;
    } catch (error) {
      // 55P03 lock_not_available: readers held the table; let them finish, then try again.
      if ((error as { code?: string }).code !== '55P03' || attempt >= SWAP_ATTEMPTS) throw error;
      onRetry(attempt);
      await new Promise((resolve) => setTimeout(resolve, 250 * 2 ** attempt));
    }
  }
}

export async function dropStaging(pool: pg.Pool, staging: string): Promise<void> {
  await pool.query(`DROP TABLE IF EXISTS ${staging}`);
}

/**
 * Staging tables left behind by runs that are no longer running (their process died mid-write):
 * those of runs not in `runningRunIds` whose staging lock nobody holds (see holdStagingLock).
 */
export async function dropOrphanedStaging(pool: pg.Pool, runningRunIds: Set<number>): Promise<string[]> {
  // Parent tables only: dropping one drops its partitions.
  const { rows } = await pool.query<{ name: string }>(
    `SELECT relname AS name FROM pg_class
     WHERE relnamespace = current_schema()::regnamespace AND relkind IN ('r', 'p') AND NOT relispartition
       AND relname LIKE 'predictions\\_staging\\_%'`,
  );
  const dropped: string[] = [];
  for (const { name } of rows) {
    const runId = runOfStagingTable(name) ?? -1;
    if (runningRunIds.has(runId)) continue;
    await inTransaction(pool, async (client) => {
      // Held until COMMIT, so no writer of this run can start while the table is dropped.
      const { rows: lock } = await client.query<{ free: boolean }>('SELECT pg_try_advisory_xact_lock($1, $2) AS free', [STAGING_LOCK_CLASS, runId]);
      if (!lock[0].free) return;
      await client.query(`DROP TABLE IF EXISTS ${name}`);
      dropped.push(name);
    });
  }
  return dropped;
}
