// Who a request's key belongs to, answered from memory: every key that is not
// revoked, plus the bootstrap ADMIN_TOKEN, by SHA-256. A request is on the hot
// path of every page view, so it never waits for a statement unless it brings a
// key this process has not seen yet (one made a moment ago elsewhere). The ring
// reloads whenever api_keys changes (a trigger NOTIFYs api_keys_changed, see
// src/store/notifications.ts), and every POLL_MS as well.
import type pg from 'pg';
import type { Logger } from '../log.js';
import type { Notifications } from '../store/notifications.js';
import { hashKey } from './api-keys.js';
import type { Caller, Role } from './roles.js';

const POLL_MS = 30_000;
const MAX_SEEN_HEADERS = 10_000;
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
  notifications: Notifications;
  adminToken: string;
  /** The role of a request without a key; null refuses it (PUBLIC_READS=false). */
  anonymousRole: Role | null;
  log: Logger;
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;

export class KeyRing {
  private keys = new Map<string, KeyEntry>();
  private readonly adminHash: string;
  private poll?: NodeJS.Timeout;
  /** Authorization headers already resolved to a valid key, forgotten at every reload (a revocation). */
  private seen = new Map<string, Caller>();
  private reads = 0;
  private applied = 0;

  private readonly anonymous: Identification;

  private constructor(private readonly options: KeyRingOptions) {
    this.adminHash = hashKey(options.adminToken);
    this.anonymous = { kind: 'caller', caller: { role: options.anonymousRole, authenticated: false, keyId: null, label: 'anonymous' } };
  }

  static async start(options: KeyRingOptions): Promise<KeyRing> {
    const ring = new KeyRing(options);
    await ring.reload();
    const reload = () => void ring.reload().catch((error) => options.log.warn({ err: error }, 'could not reload the API keys'));
    await options.notifications.listen('api_keys_changed', { onNotify: reload, onResync: reload });
    ring.poll = setInterval(() => void ring.reload().catch(() => {}), POLL_MS);
    ring.poll.unref();
    return ring;
  }

  /**
   * The caller behind an Authorization header, from memory: a caller, a refusal, or a key this
   * process does not know (then `lookup` asks the database, after the caller's rate limit).
   */
  identify(authorization: string | undefined): Identification {
    if (authorization === undefined || authorization === '') return this.anonymous;
    // A browser sends the same header with every request: hashing it once saves a SHA-256 per page view.
    const known = this.seen.get(authorization);
    if (known) return { kind: 'caller', caller: known };
    const match = BEARER.exec(authorization);
    if (!match) return { kind: 'refused', message: 'Send the API key as "Authorization: Bearer <key>".' };
    const hash = hashKey(match[1]);
    const entry = this.entry(hash);
    if (!entry) return { kind: 'unknown', hash };
    const caller = callerOf(entry);
    if (this.seen.size >= MAX_SEEN_HEADERS) this.seen.clear();
    this.seen.set(authorization, caller);
    return { kind: 'caller', caller };
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

  /**
   * Reads the keys again; after this returns, a key revoked before it was called is refused. Reads may
   * overlap (one per notification): only a read newer than the one applied replaces the keys.
   */
  async reload(): Promise<void> {
    const read = ++this.reads;
    const { rows } = await this.options.pool.query<KeyEntry & { hash: string }>(ACTIVE_KEYS_SQL);
    if (read < this.applied) return;
    this.applied = read;
    this.keys = new Map(rows.map(({ hash, ...entry }) => [hash, entry]));
    this.seen = new Map();
  }

  close(): void {
    clearInterval(this.poll);
  }
}
