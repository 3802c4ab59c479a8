// The coded errors clients can rely on (extensions.code), with the HTTP status
// each maps to.
import { GraphQLError } from 'graphql';
import { HeaderMap } from '@apollo/server';
import { isDatabaseUnavailable, type DatabaseHealth } from '../store/faults.js';
import { visitorScopeProblem, type Caller } from '../access/roles.js';

/** What a client is told to wait before trying again while the database is unreachable. */
export const UNAVAILABLE_RETRY_AFTER_S = 5;
export const UNAVAILABLE_MESSAGE = `The service cannot reach its database right now; try again in ${UNAVAILABLE_RETRY_AFTER_S} s.`;

function coded(code: string, status: number, message: string, extra: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code, http: { status }, ...extra } });
}

export const badInput = (message: string, argument?: string) => coded('BAD_USER_INPUT', 400, message, argument ? { argumentName: argument } : {});
export const notFound = (message: string) => coded('NOT_FOUND', 404, message);
export const unauthenticated = (message: string) => coded('UNAUTHENTICATED', 401, message);
export const forbidden = (message: string) => coded('FORBIDDEN', 403, message);
/** The request is fine but clashes with the current state (e.g. a run with another configuration is pending). */
export const conflict = (message: string, extra: Record<string, unknown> = {}) => coded('CONFLICT', 409, message, extra);

/**
 * Execution errors caused by an unreachable database become SERVICE_UNAVAILABLE (HTTP 503, Retry-After),
 * reported once per outage to `health` instead of once per request as a fault.
 */
export function withUnavailableCoded(errors: readonly GraphQLError[], health: DatabaseHealth): readonly GraphQLError[] {
  if (!errors.some((e) => isDatabaseUnavailable(e.originalError))) return errors;
  return errors.map((error) => {
    if (!isDatabaseUnavailable(error.originalError)) return error;
    health.failed(error.originalError);
    return new GraphQLError(UNAVAILABLE_MESSAGE, {
      nodes: error.nodes,
      path: error.path,
      extensions: {
        code: 'SERVICE_UNAVAILABLE',
        http: { status: 503, headers: new HeaderMap([['retry-after', String(UNAVAILABLE_RETRY_AFTER_S)]]) },
      },
    });
  });
}

/** Throws BAD_USER_INPUT when `problem` (from src/store/rules.ts) is not null. */
export function check(problem: string | null, argument?: string): void {
  if (problem !== null) throw badInput(problem, argument);
}

/** Throws FORBIDDEN when the caller may not act for these users (a visitor token is for one: src/access/roles.ts). */
export function checkScope(caller: Caller, userIds: readonly string[]): void {
  const problem = visitorScopeProblem(caller, userIds);
  if (problem !== null) throw forbidden(problem);
}
