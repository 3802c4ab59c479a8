// The three roles a caller can have, in increasing order of what they may do
// (schema.graphql marks every field with the least role that may use it).
export const ROLES = ['frontend', 'backend', 'admin'] as const;
export type Role = (typeof ROLES)[number];

const RANK: Record<Role, number> = { frontend: 0, backend: 1, admin: 2 };

export const isRole = (value: unknown): value is Role => typeof value === 'string' && Object.hasOwn(RANK, value);

/** Whether a caller with role `have` (null: none at all) may use what needs `need`. */
export function roleAllows(have: Role | null, need: Role): boolean {
  return have !== null && RANK[have] >= RANK[need];
}

/** Who is calling, as the HTTP boundary established it before any GraphQL ran. */
export interface Caller {
  /** null: an anonymous caller where PUBLIC_READS=false (it may use nothing). */
  role: Role | null;
  /** Whether a key was presented (anonymous callers are refused with UNAUTHENTICATED, key holders with FORBIDDEN). */
  authenticated: boolean;
  /** The key's id in api_keys; null for the bootstrap ADMIN_TOKEN and for anonymous callers. */
  keyId: number | null;
  /** For logs: "key 3 (shop backend)", "ADMIN_TOKEN" or "anonymous"; never the key itself. */
  label: string;
  /** A browser's visitor token (src/access/visitor-tokens.ts): the one user whose lists and events it may use. */
  visitor?: string;
}

/** Why `caller` may not use `userIds` (a visitor token is for one user), or null. */
export function visitorScopeProblem(caller: Caller, userIds: readonly string[]): string | null {
  if (caller.visitor === undefined) return null;
  const other = userIds.find((id) => id !== caller.visitor);
  return other === undefined ? null : `This visitor token is for user "${caller.visitor}", not "${other}".`;
}
