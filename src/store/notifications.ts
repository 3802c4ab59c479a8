// PostgreSQL LISTEN/NOTIFY for the whole process on one connection of its own
// (a pooled connection cannot stay subscribed): what another instance or tool
// changed (a revoked key, another active run) is heard here within
// milliseconds. The connection comes back by itself after it is lost, and each
// subscriber is then told to re-read, since notifications sent meanwhile are gone.
import pg from 'pg';
import type { Logger } from '../log.js';

const RECONNECT_MS = 2_000;

export interface Subscription {
  /** A notification arrived on the channel. */
  onNotify(payload: string): void;
  /** The connection was (re)established: what was sent while it was down is lost, so read again. */
  onResync(): void;
}

export class Notifications {
  private client: pg.Client | null = null;
  private readonly subscriptions = new Map<string, Set<Subscription>>();
  private reconnect?: NodeJS.Timeout;
  private closed = false;
  private warned = false;

  constructor(
    private readonly connectionString: string,
    private readonly log: Logger,
  ) {}

  /** Subscribes to a channel; listening starts (or continues) on the shared connection. */
  async listen(channel: string, subscription: Subscription): Promise<void> {
    let set = this.subscriptions.get(channel);
    if (!set) this.subscriptions.set(channel, (set = new Set()));
    set.add(subscription);
    if (this.client) await this.client.query(`LISTEN ${pg.escapeIdentifier(channel)}`).catch(() => this.lost(this.client!));
    else if (!this.reconnect) await this.connect().catch(() => this.scheduleReconnect());
  }

  get connected(): boolean {
    return this.client !== null;
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    const client = new pg.Client({ connectionString: this.connectionString, connectionTimeoutMillis: 2_000 });
    client.on('error', () => this.lost(client));
    client.on('end', () => this.lost(client));
    client.on('notification', (message) => {
      for (const subscription of this.subscriptions.get(message.channel) ?? []) subscription.onNotify(message.payload ?? '');
    });
    try {
      await client.connect();
      for (const channel of this.subscriptions.keys()) await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    } catch (error) {
      void client.end().catch(() => {});
      throw error;
    }
    this.client = client;
    if (this.warned) this.log.info('listening for changes from other instances again');
    this.warned = false;
    for (const set of this.subscriptions.values()) for (const subscription of set) subscription.onResync();
  }

  private lost(client: pg.Client): void {
    if (this.client !== client) return;
    this.client = null;
    void client.end().catch(() => {});
    if (this.closed) return;
    if (!this.warned) this.log.warn('lost the connection that listens for changes from other instances; reconnecting (polling meanwhile)');
    this.warned = true;
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnect) return;
    this.reconnect = setTimeout(() => {
      this.reconnect = undefined;
      this.connect().catch(() => this.scheduleReconnect());
    }, RECONNECT_MS);
    this.reconnect.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnect);
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => {});
  }
}
