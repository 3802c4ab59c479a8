// What a lost database looks like from here, and saying so once. While
// PostgreSQL is unreachable (stopped, restarting, a network cut), every
// statement fails in one of a few ways; requests then answer 503
// SERVICE_UNAVAILABLE, and the log gets one warning when the outage starts and
// one line when it ends, rather than a stack per request.
import type { Logger } from '../log.js';

// Connection exceptions (08…), the server shutting down or starting up (57P01–57P03), too many clients (53300).
const UNAVAILABLE_SQLSTATE = /^(08|57P0[1-3]|53300)/;
const UNAVAILABLE_ERRNO = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
// Prisma's own codes: server closed the connection, cannot reach it, timed out; and its driver adapter's kinds.
const UNAVAILABLE_PRISMA_CODE = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);
const UNAVAILABLE_ADAPTER_KIND = new Set(['ConnectionClosed', 'DatabaseNotReachable', 'SocketTimeout', 'TooManyConnections']);
const UNAVAILABLE_MESSAGE =
  /timeout exceeded when trying to connect|Connection terminated|connection terminated unexpectedly|Client has encountered a connection error|the database system is (shutting down|starting up|in recovery mode)|terminating connection due to administrator command|Can't reach database server/i;

/** Whether `error` (or what caused it, through Prisma's and pg's wrappers) says the database cannot be reached. */
export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 5) return false;
  const e = error as {
    code?: unknown;
    kind?: unknown;
    message?: unknown;
    cause?: unknown;
    originalError?: unknown;
    errors?: unknown;
    meta?: { driverAdapterError?: unknown };
  };
  if (typeof e.code === 'string' && (UNAVAILABLE_SQLSTATE.test(e.code) || UNAVAILABLE_ERRNO.has(e.code) || UNAVAILABLE_PRISMA_CODE.has(e.code))) return true;
  if (typeof e.kind === 'string' && UNAVAILABLE_ADAPTER_KIND.has(e.kind)) return true;
  if (e.meta?.driverAdapterError && isDatabaseUnavailable(e.meta.driverAdapterError, depth + 1)) return true;
  if (typeof e.message === 'string' && UNAVAILABLE_MESSAGE.test(e.message)) return true;
  if (Array.isArray(e.errors) && e.errors.some((inner) => isDatabaseUnavailable(inner, depth + 1))) return true; // AggregateError
  return isDatabaseUnavailable(e.cause, depth + 1) || isDatabaseUnavailable(e.originalError, depth + 1);
}

/** Whether the database is in an outage, as far as this process has seen: one warning per outage. */
export class DatabaseHealth {
  private outageSince: number | null = null;
  private failures = 0;

  constructor(private readonly log: Logger) {}

  get down(): boolean {
    return this.outageSince !== null;
  }

  /** A statement failed because the database is unreachable. */
  failed(error: unknown): void {
    this.failures++;
    if (this.outageSince !== null) return;
    this.outageSince = Date.now();
    const detail = (error as Error)?.message ?? String(error);
    this.log.warn({ reason: detail }, 'the database is unreachable: requests that need it answer 503 SERVICE_UNAVAILABLE until it is back');
  }

  /** A connection was made or a statement succeeded. */
  succeeded(): void {
    if (this.outageSince === null) return;
    const seconds = (Date.now() - this.outageSince) / 1000;
    this.log.info({ seconds, failedStatements: this.failures }, `the database is reachable again after ${seconds.toFixed(1)} s`);
    this.outageSince = null;
    this.failures = 0;
  }
}
