// Every list the API serves gets an id (Recommendation.recommendationId) and is remembered here: kept in
// memory and written once a second with one COPY, off the request's path, so serving does not wait on it. An
// event the shopper then sends with that id is attributed to the list (online-metrics.ts).
import crypto from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Logger } from '../log.js';
import { COPY_IMPRESSIONS_SQL } from '../store/sql.js';

const FLUSH_EVERY_MS = 1_000;
/** Lists held at most while the database cannot take them; past that the oldest are dropped (and logged). */
const MAX_PENDING = 100_000;

export interface ServedList {
  /** The shopper's external id; null for a list of no one (popular, bought together). */
  userId: string | null;
  runId: number | null;
  /** The first product's reason. */
  source: string;
  /** Internal product ids, first shown first. */
  productIds: number[];
  /** The experiment variant that served it (src/experiments), if any. */
  experiment?: { id: number; variant: string } | null;
}

/** COPY's text format: a value with its special characters escaped, \N for null. */
const copyText = (value: string | null) =>
  value === null ? '\\N' : value.replace(/[\\\t\n\r]/g, (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c]!);

export class ImpressionLog {
  private pending: string[] = [];
  private readonly timer: NodeJS.Timeout;
  private flushing: Promise<void> | null = null;
  private dropped = 0;
  /** Ids are this process's random prefix and a counter: unique across instances, and cheap on the hot path. */
  private readonly prefix = crypto.randomBytes(6).toString('base64url');
  private counter = 0;

  constructor(
    private readonly pool: pg.Pool,
    private readonly log: Logger,
  ) {
    this.timer = setInterval(() => void this.flush().catch(() => {}), FLUSH_EVERY_MS);
    this.timer.unref();
  }

  /** Remembers a served list; returns its id. */
  record(list: ServedList): string {
    const id = `${this.prefix}${(++this.counter).toString(36)}`;
    if (this.pending.length >= MAX_PENDING) {
      this.pending.shift();
      this.dropped++;
    }
    // The row as COPY reads it, made now: a string is all the list keeps in memory until the flush.
    const experiment = list.experiment ? `${list.experiment.id}\t${copyText(list.experiment.variant)}` : '\\N\t\\N';
    this.pending.push(
      `${id}\t${copyText(list.userId)}\t${list.runId ?? '\\N'}\t${list.source}\t{${list.productIds.join(',')}}\t${new Date().toISOString()}\t${experiment}\n`,
    );
    return id;
  }

  /** Writes what is pending (also called before the online metrics are read, so this instance's lists count at once). */
  async flush(): Promise<void> {
    await this.flushing;
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.flushing = this.copy(batch)
      .then(
        () => {
          if (this.dropped > 0) this.log.warn({ dropped: this.dropped }, 'served lists were dropped from attribution while the database was unreachable');
          this.dropped = 0;
        },
        (error: Error) => {
          // Kept for the next attempt (up to MAX_PENDING).
          this.pending = [...batch, ...this.pending].slice(-MAX_PENDING);
          this.log.warn({ err: error, lists: batch.length }, 'could not record served lists; retrying');
          throw error;
        },
      )
      .finally(() => (this.flushing = null));
    await this.flushing;
  }

  private async copy(rows: string[]): Promise<void> {
    const client = await this.pool.connect();
    try {
      await pipeline(Readable.from([rows.join('')]), client.query(copyFrom(COPY_IMPRESSIONS_SQL)));
      client.release();
    } catch (error) {
      client.release(error as Error);
      throw error;
    }
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush().catch(() => {});
  }
}
