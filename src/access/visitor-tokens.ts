// Signed visitor tokens: the shop's backend asks for one (createVisitorToken) and hands it to the browser,
// which sends it as "Authorization: Bearer vt1.…" to read that one shopper's lists and record their views,
// carts and wishlists — no API key in the page. A token is the user id and an expiry, signed with HMAC-SHA256
// (node:crypto: the format is three base64url parts, small enough not to need a JWT library). The secrets come
// from VISITOR_TOKEN_SECRETS (the first signs, every one verifies: rotation), else from one the service makes
// and keeps in the database, shared by every instance.
import crypto from 'node:crypto';
import type pg from 'pg';

export const VISITOR_TOKEN_PREFIX = 'vt1.';
const STORED_SECRET_KEY = 'visitor_token_secret';
export const MIN_TTL_SECONDS = 60;
export const MAX_TTL_SECONDS = 7 * 24 * 3600;
export const DEFAULT_TTL_SECONDS = 3600;

/** What a browser may do with a visitor token (besides its user's lists): record these kinds of events. */
export const VISITOR_EVENT_TYPES: ReadonlySet<string> = new Set(['view', 'cart', 'wishlist']);

const encode = (data: Buffer | string) => Buffer.from(data).toString('base64url');

export class VisitorTokens {
  private constructor(private readonly secrets: Buffer[]) {}

  /** From VISITOR_TOKEN_SECRETS (comma-separated) when set, else the database's own secret (made on first use). */
  static async load(pool: pg.Pool, configured: string[]): Promise<VisitorTokens> {
    if (configured.length > 0) return new VisitorTokens(configured.map((s) => Buffer.from(s, 'utf8')));
    await pool.query(`INSERT INTO store_settings (key, value) VALUES ($1, to_jsonb($2::text)) ON CONFLICT (key) DO NOTHING`, [
      STORED_SECRET_KEY,
      crypto.randomBytes(32).toString('base64url'),
    ]);
    const { rows } = await pool.query<{ value: string }>('SELECT value FROM store_settings WHERE key = $1', [STORED_SECRET_KEY]);
    return new VisitorTokens([Buffer.from(rows[0].value, 'utf8')]);
  }

  /** A token for `userId` that expires `ttlSeconds` from now. */
  sign(userId: string, ttlSeconds: number, now = Date.now()): string {
    const payload = encode(JSON.stringify({ u: userId, exp: Math.floor(now / 1000) + ttlSeconds }));
    return `${VISITOR_TOKEN_PREFIX}${payload}.${this.mac(this.secrets[0], payload)}`;
  }

  /** The user a token is for, or why it is refused. */
  verify(token: string, now = Date.now()): { userId: string } | { refused: string } {
    const [payload, mac, extra] = token.slice(VISITOR_TOKEN_PREFIX.length).split('.');
    if (!payload || !mac || extra !== undefined) return { refused: 'This visitor token is malformed.' };
    const given = Buffer.from(mac, 'base64url');
    const signed = this.secrets.some((secret) => {
      const expected = Buffer.from(this.mac(secret, payload), 'base64url');
      return expected.length === given.length && crypto.timingSafeEqual(expected, given);
    });
    if (!signed) return { refused: 'This visitor token was not signed by this shop (or its secret was rotated out).' };
    let claims: { u?: unknown; exp?: unknown };
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      return { refused: 'This visitor token is malformed.' };
    }
    if (typeof claims.u !== 'string' || typeof claims.exp !== 'number') return { refused: 'This visitor token is malformed.' };
    if (claims.exp * 1000 <= now) return { refused: "This visitor token has expired: ask the shop's backend for a new one (createVisitorToken)." };
    return { userId: claims.u };
  }

  private mac(secret: Buffer, payload: string): string {
    return crypto.createHmac('sha256', secret).update(payload).digest('base64url');
  }
}
