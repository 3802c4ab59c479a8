// Every list the API serves gets an id (Recommendation.recommendationId) and is remembered here: kept in
// memory and written in batches once a second, off the request's path, so serving does not wait on it. An
// event the shopper then sends with that id is attributed to the list (online-metrics.ts).
import crypto from 'node:crypto';
import type pg from 'pg';
import type { Logger } from '../log.js';
import { INSERT_IMPRESSIONS_SQL } from '../store/sql.js';

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
}

export class ImpressionLog {
  private pending: (ServedList & { id: string; at: Date })[] = [];
  private readonly timer: NodeJS.Timeout;
  private flushing: Promise<void> | null = null;
  private dropped = 0;

  constructor(
    private readonly pool: pg.Pool,
    private readonly log: Logger,
  ) {
    this.timer = setInterval(() => void this.flush().catch(() => {}), FLUSH_EVERY_MS);
    this.timer.unref();
  }

  /** Remembers a served list; returns its id. */
  record(list: ServedList): string {
    const id = crypto.randomBytes(12).toString('base64url');
    if (this.pending.length >= MAX_PENDING) {
      this.pending.shift();
      this.dropped++;
    }
    this.pending.push({ ...list, id, at: new Date() });
    return id;
  }

  /** Writes what is pending (also called before the online metrics are read, so this instance's lists count at once). */
  async flush(): Promise<void> {
    await this.flushing;
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.flushing = this.pool
      .query(INSERT_IMPRESSIONS_SQL, [
        batch.map((l) => l.id),
        batch.map((l) => l.userId),
        batch.map((l) => l.runId),
        batch.map((l) => l.source),
        batch.map((l) => JSON.stringify(l.productIds)),
        batch.map((l) => l.at),
      ])
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

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush().catch(() => {});
  }
}
