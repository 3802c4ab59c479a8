// Relay-style connections: opaque cursors, `first` defaulting to 20 and capped at 100.
import { badInput } from './errors.js';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export function pageSize(first: number | null | undefined, max = MAX_PAGE_SIZE, fallback = DEFAULT_PAGE_SIZE): number {
  if (first === null || first === undefined) return fallback;
  if (!Number.isInteger(first) || first < 1 || first > max) {
    throw badInput(`first must be between 1 and ${max}, got ${first}`, 'first');
  }
  return first;
}

/** Cursors are base64url of "<kind>:<json>" so a cursor of one list is refused by another. */
export function encodeCursor(kind: string, value: unknown): string {
  return Buffer.from(`${kind}:${JSON.stringify(value)}`).toString('base64url');
}

export function decodeCursor<T>(kind: string, cursor: string | null | undefined, isValid: (v: unknown) => v is T): T | null {
  if (cursor === null || cursor === undefined) return null;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (text.startsWith(`${kind}:`)) {
    try {
      const value: unknown = JSON.parse(text.slice(kind.length + 1));
      if (isValid(value)) return value;
    } catch {
      // falls through to the error below
    }
  }
  throw badInput(`after is not a valid cursor for this list: "${cursor}"`, 'after');
}

export const isId = (v: unknown): v is number => Number.isInteger(v) && (v as number) > 0;

export interface Connection<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  /** Counted only when the query asks for totalCount (see countResolver). */
  count: () => Promise<number>;
}

/** The `totalCount` field of any connection: runs the count query lazily. */
export const countResolver = { totalCount: (connection: { count: () => Promise<number> }) => connection.count() };

/** Builds a connection from `limit + 1` fetched rows (the extra one says whether a next page exists). */
export function connectionFrom<T>(rows: T[], limit: number, cursorOf: (row: T) => string, count: () => Promise<number>): Connection<T> {
  const page = rows.slice(0, limit);
  const edges = page.map((node) => ({ cursor: cursorOf(node), node }));
  return {
    edges,
    pageInfo: { hasNextPage: rows.length > limit, endCursor: edges.at(-1)?.cursor ?? null },
    count,
  };
}
