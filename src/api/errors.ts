// The coded errors clients can rely on (extensions.code), with the HTTP status
// each maps to.
import { GraphQLError } from 'graphql';

function coded(code: string, status: number, message: string, extra: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code, http: { status }, ...extra } });
}

export const badInput = (message: string, argument?: string) =>
  coded('BAD_USER_INPUT', 400, message, argument ? { argumentName: argument } : {});
export const notFound = (message: string) => coded('NOT_FOUND', 404, message);
export const unauthenticated = (message: string) => coded('UNAUTHENTICATED', 401, message);
export const forbidden = (message: string) => coded('FORBIDDEN', 403, message);
/** The request is fine but clashes with the current state (e.g. a run with another configuration is pending). */
export const conflict = (message: string, extra: Record<string, unknown> = {}) => coded('CONFLICT', 409, message, extra);

/** Throws BAD_USER_INPUT when `problem` (from src/store/rules.ts) is not null. */
export function check(problem: string | null, argument?: string): void {
  if (problem !== null) throw badInput(problem, argument);
}
