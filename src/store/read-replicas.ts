// Serving reads on PostgreSQL's streaming replicas (DATABASE_READ_URLS). Each
// replica is checked every CHECK_MS: one that cannot be reached, or whose
// replay is further behind the primary than the lag limit, is skipped until it
// is back in step; with none usable, reads go to the primary. Lag is measured
// in time: how long ago the primary first had WAL that the replica has not
// replayed yet (0 while it has replayed everything the primary had), which
// stays right when the primary is idle, unlike the last replay's timestamp.
import pg from 'pg';
import type { Logger } from '../log.js';
import { CONNECT_TIMEOUT_MS } from './db.js';
import { safeUrl } from './connect.js';

const CHECK_MS = 1_000;
/** How long the primary's WAL positions are remembered for measuring lag. */
const HISTORY_MS = 10 * 60_000;

const parseLsn = (lsn: string): bigint => {
  const [high, low] = lsn.split('/');
  return (BigInt(`0x${high}`) << 32n) + BigInt(`0x${low}`);
};

class Replica {
  readonly pool: pg.Pool;
  usable = false;
  lagSeconds: number | null = null;
  reason: string | null = 'not checked yet';
  checked = false;

  constructor(
    readonly url: string,
    max: number,
  ) {
    // JIT off, as on the primary's serving pool (src/store/db.ts).
    this.pool = new pg.Pool({
      connectionString: url,
      max,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      statement_timeout: 30_000,
      options: '-c jit=off',
      idleTimeoutMillis: 0,
    });
    // Idle connections stay open: they hold the serving statements the warm-up prepared (Recommender.warmUp).
    this.pool.on('error', () => {}); // a lost replica is noticed by its next check
  }
}

export class ReadReplicas {
  private readonly replicas: Replica[];
  private readonly history: { at: number; lsn: bigint }[] = [];
  private timer?: NodeJS.Timeout;
  private next = 0;

  constructor(
    urls: string[],
    private readonly primary: pg.Pool,
    private readonly options: { maxLagMs: number; poolSize: number; log: Logger },
  ) {
    this.replicas = urls.map((url) => new Replica(url, options.poolSize));
  }

  /** Checks the replicas now and then every CHECK_MS. */
  async start(): Promise<this> {
    await this.check();
    this.timer = setInterval(() => void this.check().catch(() => {}), CHECK_MS);
    this.timer.unref();
    return this;
  }

  get configured(): boolean {
    return this.replicas.length > 0;
  }

  /** Where a serving read goes: the usable replicas in turn, or the primary when none is. */
  pool(): pg.Pool {
    for (let tries = 0; tries < this.replicas.length; tries++) {
      const replica = this.replicas[this.next++ % this.replicas.length];
      if (replica.usable) return replica.pool;
    }
    return this.primary;
  }

  /** The longest a read from pool() may be behind the primary (the lag limit), in seconds. */
  get maxLagSeconds(): number {
    return this.options.maxLagMs / 1000;
  }

  pools(): { url: string; pool: pg.Pool }[] {
    return this.replicas.map((r) => ({ url: safeUrl(r.url), pool: r.pool }));
  }

  /** The replicas' pools that serving reads may use now. */
  usablePools(): pg.Pool[] {
    return this.replicas.filter((r) => r.usable).map((r) => r.pool);
  }

  private async check(): Promise<void> {
    if (this.replicas.length === 0) return;
    const now = Date.now();
    try {
      const { rows } = await this.primary.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn');
      this.history.push({ at: now, lsn: parseLsn(rows[0].lsn) });
      while (this.history.length > 1 && this.history[0].at < now - HISTORY_MS) this.history.shift();
    } catch {
      // The primary is away: replicas are judged against what it had last.
    }
    await Promise.all(this.replicas.map((replica) => this.checkOne(replica, now)));
  }

  private async checkOne(replica: Replica, now: number): Promise<void> {
    const was = replica.usable;
    try {
      const { rows } = await replica.pool.query<{ recovery: boolean; replayed: string | null; received: string | null; receiver: string | null }>(
        `SELECT pg_is_in_recovery() AS recovery, pg_last_wal_replay_lsn()::text AS replayed, pg_last_wal_receive_lsn()::text AS received,
                (SELECT status FROM pg_stat_wal_receiver) AS receiver`,
      );
      const { recovery, replayed, received, receiver } = rows[0];
      if (!recovery || replayed === null) {
        replica.usable = false;
        replica.lagSeconds = null;
        replica.reason = 'not a streaming replica (pg_is_in_recovery() is false)';
      } else if (receiver !== 'streaming') {
        replica.usable = false;
        replica.lagSeconds = null;
        replica.reason = `not streaming from the primary (its WAL receiver is ${receiver ?? 'not running'})`;
      } else {
        const position = parseLsn(replayed);
        // Replayed all it has received (and it is streaming): in step. Otherwise: since when has the
        // primary had WAL this replica has not replayed?
        const caughtUp = received !== null && position >= parseLsn(received);
        const behindSince = caughtUp ? undefined : this.history.find((h) => h.lsn > position)?.at;
        replica.lagSeconds = behindSince === undefined ? 0 : (now - behindSince) / 1000;
        replica.usable = replica.lagSeconds * 1000 <= this.options.maxLagMs;
        replica.reason = replica.usable ? null : `${replica.lagSeconds.toFixed(1)} s behind the primary (DATABASE_READ_MAX_LAG is ${this.maxLagSeconds} s)`;
      }
    } catch (error) {
      replica.usable = false;
      replica.lagSeconds = null;
      replica.reason = `unreachable: ${(error as Error).message}`;
    }
    // Said at the first check too: a replica unreachable from the start is otherwise never mentioned.
    const first = !replica.checked;
    replica.checked = true;
    if (first || was !== replica.usable) {
      if (replica.usable) this.options.log.info({ replica: safeUrl(replica.url) }, 'serving reads from the replica');
      else this.options.log.warn({ replica: safeUrl(replica.url), reason: replica.reason }, 'skipping the replica for serving reads');
    }
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all(this.replicas.map((r) => r.pool.end().catch(() => {})));
  }
}
