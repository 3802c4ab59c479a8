// The hand-written SQL on hot paths, in one place, so it can be read, indexed
// and benchmarked together. Everything else goes through the Prisma client.
// Columns are aliased to the Prisma model's field names so rows from here and
// from Prisma have the same shape.

export const RATING_COLUMNS = `r.user_id AS "userId", r.product_id AS "productId", r.value,
  r.created_at AS "createdAt", r.updated_at AS "updatedAt"`;

/**
 * One page of ratings for each of many users (or products) in one statement:
 * newest first, keyset-paginated on (updated_at, other id). $1 = owner ids,
 * $2 = limit per owner (page size + 1 to learn whether there is a next page),
 * $3/$4 = the cursor position (or nulls), shared by all owners of the batch.
 */
export function ratingsPageSql(owner: 'user' | 'product'): string {
  const ownerColumn = owner === 'user' ? 'user_id' : 'product_id';
  const otherColumn = owner === 'user' ? 'product_id' : 'user_id';
  return `
SELECT o.id AS "ownerId", ${RATING_COLUMNS}
FROM unnest($1::int[]) AS o(id)
CROSS JOIN LATERAL (
  SELECT * FROM ratings r
  WHERE r.${ownerColumn} = o.id
    AND ($3::timestamptz IS NULL OR (r.updated_at, r.${otherColumn}) < ($3::timestamptz, $4::int))
  ORDER BY r.updated_at DESC, r.${otherColumn} DESC
  LIMIT $2
) r`;
}

/** How many ratings each of many users (or products) has. $1 = owner ids. */
export function ratingCountsSql(owner: 'user' | 'product'): string {
  const ownerColumn = owner === 'user' ? 'user_id' : 'product_id';
  return `SELECT ${ownerColumn} AS "ownerId", count(*)::int AS n FROM ratings WHERE ${ownerColumn} = ANY($1::int[]) GROUP BY ${ownerColumn}`;
}

/**
 * Records a rating by external ids in one statement; returns no row when the
 * user or the product does not exist (nothing is written then).
 */
export const UPSERT_RATING_SQL = `
INSERT INTO ratings (user_id, product_id, value)
SELECT u.id, p.id, $3::real FROM users u, products p
WHERE u.external_id = $1 AND p.external_id = $2
ON CONFLICT (user_id, product_id)
DO UPDATE SET value = EXCLUDED.value, updated_at = now()
RETURNING user_id AS "userId", product_id AS "productId", value,
  created_at AS "createdAt", updated_at AS "updatedAt"`;
