// Per-client request limits with rate-limiter-flexible: RATE_LIMIT_PER_MINUTE
// requests per key for backend and admin keys, per IP address for frontend keys
// and anonymous callers (a frontend key is shared by every shopper's browser).
// Counted in each instance's memory: behind N instances a client gets up to N
// times the limit, which keeps the hot path free of a statement per request.
import type http from 'node:http';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { Caller } from '../access/roles.js';
import { sendJson } from './http.js';

export class RequestLimiter {
  private readonly limiter: RateLimiterMemory | null;

  constructor(readonly perMinute: number) {
    this.limiter = perMinute > 0 ? new RateLimiterMemory({ points: perMinute, duration: 60 }) : null;
  }

  /** Clears what `client` has used (the server's own warm-up requests are not the shop's). */
  async forget(client: string): Promise<void> {
    await this.limiter?.delete(client);
  }

  /** Counts a request of `client`; false (and the answer sent) when it is over the limit. */
  async admit(client: string, res: http.ServerResponse): Promise<boolean> {
    if (!this.limiter) return true;
    try {
      await this.limiter.consume(client);
      return true;
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      const seconds = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
      res.setHeader('retry-after', String(seconds));
      sendJson(res, 429, {
        errors: [
          {
            message: `Too many requests: at most ${this.perMinute} a minute per key (per address for browsers and callers without a key). Try again in ${seconds} s.`,
            extensions: { code: 'RATE_LIMITED', retryAfterSeconds: seconds },
          },
        ],
      });
      return false;
    }
  }
}

/** The client's address: the socket's, or behind a trusted proxy the one it saw (the last X-Forwarded-For entry). */
export function clientAddress(req: http.IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = req.headers['x-forwarded-for'];
    const list = (Array.isArray(forwarded) ? forwarded.join(',') : (forwarded ?? '')).split(',');
    const last = list[list.length - 1].trim();
    if (last) return last;
  }
  return req.socket.remoteAddress ?? 'unknown';
}

/** Which budget a request counts against. */
export function rateKey(caller: Caller, address: string): string {
  if (caller.visitor !== undefined) return `visitor:${caller.visitor}`;
  if (caller.authenticated && caller.role !== 'frontend') return caller.keyId === null ? 'admin-token' : `key:${caller.keyId}`;
  return `ip:${address}`;
}
