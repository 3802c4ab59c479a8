// Who a request's key belongs to, answered from memory: every key that is not
// revoked, plus the bootstrap ADMIN_TOKEN, by SHA-256. A request is on the hot
// path of every page view, so it never waits for a statement unless it brings a
// key this process has not seen yet (one made a moment ago elsewhere). The ring
// reloads whenever api_keys changes (a trigger NOTIFYs api_keys_changed, which
// this process LISTENs to), and every POLL_MS in case a notification was missed
// while its connection was down.
import pg from 'pg';
import type { Logger } from '../log.js';
import { hashKey } from './api-keys.js';
import type { Caller, Role } from './roles.js';

const POLL_MS = 30_000;
const RECONNECT_MS = 2_000;
const ACTIVE_KEYS_SQL = `SELECT id, name, role::text AS role, hash FROM api_keys WHERE revoked_at IS NULL`;
const ACTIVE_KEY_SQL = `${ACTIVE_KEYS_SQL} AND hash = $1`;

interface KeyEntry {
  id: number | null;
  name: string;
  role: Role;
}

export type Identification = { kind: 'caller'; caller: Caller } | { kind: 'refused'; message: string } | { kind: 'unknown'; hash: string };

export const INVALID_KEY_MESSAGE = 'The API key is not valid: it is unknown or was revoked.';

function callerOf(entry: KeyEntry): Caller {
  const label = entry.id === null ? 'ADMIN_TOKEN' : `key ${entry.id} (${entry.name})`;
  return { role: entry.role, authenticated: true, keyId: entry.id, label };
}

export interface KeyRingOptions {
  pool: pg.Pool;
  /** For the LISTEN connection (a pooled one cannot stay subscribed). */
  connectionString: string;
  adminToken: string;
  /** The role of a request without a key; null refuses it (PUBLIC_READS=false). */
  anonymousRole: Role | null;
  log: Logger;
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;

export class KeyRing {
  private keys = new Map<string, KeyEntry>();
  private readonly adminHash: string;
  private listener: pg.Client | null = null;
  private poll?: NodeJS.Timeout;
  private reconnect?: NodeJS.Timeout;
  private closed = false;
  private reloading: Promise<void> | null = null;

  private constructor(private readonly options: KeyRingOptions) {
    this.adminHash = hashKey(options.adminToken);
  }

  static async start(options: KeyRingOptions): Promise<KeyRing> {
    const ring = new KeyRing(options);
    await ring.reload();
    await ring.listen().catch((error) => options.log.warn({ err: error }, 'cannot listen for API key changes; polling instead'));
    ring.poll = setInterval(() => void ring.reload().catch(() => {}), POLL_MS);
    ring.poll.unref();
    return ring;
  }

  /**
   * The caller behind an Authorization header, from memory: a caller, a refusal, or a key this
   * process does not know (then `lookup` asks the database, after the caller's rate limit).
   */
  identify(authorization: string | undefined): Identification {
    if (authorization === undefined || authorization === '') {
      return { kind: 'caller', caller: { role: this.options.anonymousRole, authenticated: false, keyId: null, label: 'anonymous' } };
    }
    const match = BEARER.exec(authorization);
    if (!match) return { kind: 'refused', message: 'Send the API key as "Authorization: Bearer <key>".' };
    const hash = hashKey(match[1]);
    const entry = this.entry(hash);
    return entry ? { kind: 'caller', caller: callerOf(entry) } : { kind: 'unknown', hash };
  }

  /** A key not in memory, from the database: one made a moment ago by another process, or none (null). */
  async lookup(hash: string): Promise<Caller | null> {
    const { rows } = await this.options.pool.query<KeyEntry & { hash: string }>({ name: 'api-key-by-hash', text: ACTIVE_KEY_SQL, values: [hash] });
    if (!rows[0]) return null;
    const { hash: _, ...entry } = rows[0];
    this.keys.set(hash, entry);
    return callerOf(entry);
  }

  private entry(hash: string): KeyEntry | undefined {
    if (hash === this.adminHash) return { id: null, name: 'ADMIN_TOKEN', role: 'admin' };
    return this.keys.get(hash);
  }

  /** Reads the keys again (coalescing concurrent calls); after this returns, a key revoked before it is refused. */
  reload(): Promise<void> {
    this.reloading ??= (async () => {
      try {
        const { rows } = await this.options.pool.query<KeyEntry & { hash: string }>(ACTIVE_KEYS_SQL);
        this.keys = new Map(rows.map(({ hash, ...entry }) => [hash, entry]));
      } finally {
        this.reloading = null;
      }
    })();
    return this.reloading;
  }

  private async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.options.connectionString, connectionTimeoutMillis: 5_000 });
    const lost = (error?: Error) => {
      if (this.listener !== client) return;
      this.listener = null;
      void client.end().catch(() => {});
      if (this.closed) return;
      this.options.log.warn({ err: error }, 'lost the connection that listens for API key changes; reconnecting');
      this.scheduleReconnect();
    };
    client.on('error', lost);
    client.on('end', () => lost());
    client.on('notification', () => void this.reload().catch((error) => this.options.log.warn({ err: error }, 'could not reload the API keys')));
    this.listener = client;
    try {
      await client.connect();
      await client.query('LISTEN api_keys_changed');
    } catch (error) {
      this.listener = null;
      void client.end().catch(() => {});
      throw error;
    }
    // Anything changed while no one listened is read now.
    await this.reload();
  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnect) return;
    this.reconnect = setTimeout(() => {
      this.reconnect = undefined;
      this.listen().catch(() => this.scheduleReconnect());
    }, RECONNECT_MS);
    this.reconnect.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.poll);
    clearTimeout(this.reconnect);
    const listener = this.listener;
    this.listener = null;
    await listener?.end().catch(() => {});
  }
}
