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

/**
 * Records events by external ids in one statement (src/events/event-log.ts): $1..$7 = user ids,
 * product ids, types, values, times (null = now), the client's event ids and the served lists they came
 * from (null = none), one entry per event. A user id never seen is made a visitor; when any product id is unknown nothing is written (no
 * visitor either) and the unknown ids come back. An event already recorded (same event id, or same user,
 * product, type and time) is kept once and not counted.
 */
export const RECORD_EVENTS_SQL = `
WITH input AS (
  SELECT i.*, u.id AS user_id, p.id AS product_id
  FROM unnest($1::text[], $2::text[], $3::"EventType"[], $4::real[], $5::timestamptz[], $6::text[], $7::text[])
    AS i(user_external_id, product_external_id, type, value, occurred_at, event_id, recommendation_id)
  LEFT JOIN users u ON u.external_id = i.user_external_id
  LEFT JOIN products p ON p.external_id = i.product_external_id
), missing AS (
  SELECT array_agg(DISTINCT product_external_id) FILTER (WHERE product_id IS NULL) AS products FROM input
), visitors AS (
  -- DO UPDATE, not DO NOTHING: a visitor made meanwhile by another call still returns its id.
  INSERT INTO users (external_id, visitor)
  SELECT DISTINCT user_external_id, true FROM input WHERE user_id IS NULL AND (SELECT products IS NULL FROM missing)
  ON CONFLICT (external_id) DO UPDATE SET external_id = EXCLUDED.external_id
  RETURNING id, external_id
), written AS (
  INSERT INTO events (user_id, product_id, type, value, occurred_at, event_id, recommendation_id)
  SELECT COALESCE(i.user_id, v.id), i.product_id, i.type, i.value, COALESCE(i.occurred_at, now()), i.event_id, i.recommendation_id
  FROM input i LEFT JOIN visitors v ON v.external_id = i.user_external_id
  WHERE (SELECT products IS NULL FROM missing)
  ON CONFLICT DO NOTHING
  RETURNING 1
)
SELECT (SELECT count(*) FROM written)::int AS recorded, m.products AS missing_products FROM missing m`;

/**
 * Moves visitor $1's ratings and events to user $2 (internal ids), in place (an event keeps its client id,
 * so a retry of it still counts once); what the account already has wins, and the rest goes with the visitor.
 * Returns how many events and ratings moved.
 */
export const MERGE_VISITOR_SQL = `
WITH moved_events AS (
  UPDATE events e SET user_id = $2 WHERE e.user_id = $1
    AND NOT EXISTS (SELECT 1 FROM events a WHERE a.user_id = $2 AND a.product_id = e.product_id AND a.type = e.type AND a.occurred_at = e.occurred_at)
  RETURNING 1
), moved_ratings AS (
  UPDATE ratings r SET user_id = $2 WHERE r.user_id = $1
    AND NOT EXISTS (SELECT 1 FROM ratings a WHERE a.user_id = $2 AND a.product_id = r.product_id)
  RETURNING 1
)
SELECT (SELECT count(*) FROM moved_events)::int AS events, (SELECT count(*) FROM moved_ratings)::int AS ratings`;

/**
 * Creates or updates up to 1,000 products in one statement (upsertProducts, `import products`): $1..$9 =
 * external ids, names, categories, whether each category was given, prices, whether each price was given,
 * attributes (null keeps), available and repurchasable (null keeps; true and false for a new product).
 */
export const UPSERT_PRODUCTS_SQL = `
WITH input AS (
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bool[], $5::float8[], $6::bool[], $7::jsonb[], $8::bool[], $9::bool[])
    AS i(external_id, name, category, category_given, price, price_given, attributes, available, repurchasable)
), updated AS (
  UPDATE products p SET name = i.name,
    category = CASE WHEN i.category_given THEN i.category ELSE p.category END,
    price = CASE WHEN i.price_given THEN i.price ELSE p.price END,
    attributes = COALESCE(i.attributes, p.attributes),
    available = COALESCE(i.available, p.available),
    repurchasable = COALESCE(i.repurchasable, p.repurchasable),
    updated_at = now()
  FROM input i WHERE p.external_id = i.external_id
  RETURNING p.external_id
), created AS (
  INSERT INTO products (external_id, name, category, price, attributes, available, repurchasable)
  SELECT i.external_id, i.name, i.category, i.price, COALESCE(i.attributes, '{}'), COALESCE(i.available, true), COALESCE(i.repurchasable, false)
  FROM input i WHERE NOT EXISTS (SELECT 1 FROM updated u WHERE u.external_id = i.external_id)
  RETURNING 1
)
SELECT (SELECT count(*) FROM updated)::int AS updated, (SELECT count(*) FROM created)::int AS created`;

/**
 * Creates or updates up to 1,000 users in one statement (upsertUsers, `import users`): $1..$4 = external
 * ids, names, whether each name was given, attributes (null keeps). A visitor written so becomes a user.
 */
export const UPSERT_USERS_SQL = `
WITH input AS (
  SELECT * FROM unnest($1::text[], $2::text[], $3::bool[], $4::jsonb[]) AS i(external_id, name, name_given, attributes)
), updated AS (
  UPDATE users u SET name = CASE WHEN i.name_given THEN i.name ELSE u.name END,
    attributes = COALESCE(i.attributes, u.attributes), visitor = false, updated_at = now()
  FROM input i WHERE u.external_id = i.external_id
  RETURNING u.external_id
), created AS (
  INSERT INTO users (external_id, name, attributes)
  SELECT i.external_id, i.name, COALESCE(i.attributes, '{}') FROM input i WHERE NOT EXISTS (SELECT 1 FROM updated u WHERE u.external_id = i.external_id)
  RETURNING 1
)
SELECT (SELECT count(*) FROM updated)::int AS updated, (SELECT count(*) FROM created)::int AS created`;

// ---------------------------------------------------------------------------
// Attribution (src/attribution): the lists served, and what shoppers did from them.

/** Served lists, batched (src/attribution/impressions.ts): one COPY a second. */
export const COPY_IMPRESSIONS_SQL =
  'COPY impressions (recommendation_id, user_external_id, run_id, source, product_ids, served_at, experiment_id, variant) FROM STDIN';

/**
 * What the lists served from $1 to $2 led to, by group ($4: 'model', 'variant' or 'day'): lists and products shown,
 * and the views, carts and purchases (with their value) of products a list showed, sent with its id within
 * $3 hours of it. An event counts once, for the list it names.
 */
export const ONLINE_METRICS_SQL = `
WITH lists AS (
  SELECT recommendation_id, product_ids, served_at,
         CASE WHEN $4 = 'day' THEN to_char(served_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')
              WHEN $4 = 'variant' THEN COALESCE('experiment ' || experiment_id || ': ' || variant, 'no experiment')
              ELSE COALESCE('run ' || run_id, lower(source)) END AS grp
  FROM impressions WHERE served_at >= $1 AND served_at < $2
), attributed AS (
  SELECT l.grp, e.type, e.value
  FROM lists l JOIN events e ON e.recommendation_id = l.recommendation_id
  WHERE e.product_id = ANY(l.product_ids) AND e.occurred_at >= l.served_at AND e.occurred_at < l.served_at + make_interval(secs => $3::float8 * 3600)
), shown AS (
  SELECT grp, count(*)::int AS lists, sum(cardinality(product_ids))::int AS impressions FROM lists GROUP BY grp
), acted AS (
  SELECT grp, count(*) FILTER (WHERE type = 'view')::int AS views, count(*) FILTER (WHERE type = 'cart')::int AS carts,
         count(*) FILTER (WHERE type = 'purchase')::int AS purchases, COALESCE(sum(value) FILTER (WHERE type = 'purchase'), 0)::float8 AS revenue
  FROM attributed GROUP BY grp
)
SELECT s.grp AS "group", s.lists, s.impressions, COALESCE(a.views, 0) AS views, COALESCE(a.carts, 0) AS carts,
       COALESCE(a.purchases, 0) AS purchases, COALESCE(a.revenue, 0) AS revenue
FROM shown s LEFT JOIN acted a USING (grp) ORDER BY s.grp`;

/**
 * An experiment's shoppers summed by variant (src/experiments/statistics.ts): per shopper, x = the events of
 * type $2 attributed to the lists the experiment $1 served them ('revenue': the purchases' values), n = the
 * products those lists showed; an event counts for a list when it names it, is on one of its products, and
 * came within $3 hours of it.
 */
export const EXPERIMENT_TOTALS_SQL = `
WITH lists AS (
  SELECT recommendation_id, variant, user_external_id, product_ids, served_at FROM impressions WHERE experiment_id = $1
), shown AS (
  SELECT variant, user_external_id, count(*)::float8 AS lists, sum(cardinality(product_ids))::float8 AS n FROM lists GROUP BY 1, 2
), acted AS (
  SELECT l.variant, l.user_external_id,
         CASE WHEN $2 = 'revenue' THEN COALESCE(sum(e.value) FILTER (WHERE e.type = 'purchase'), 0)
              ELSE count(*) FILTER (WHERE e.type::text = $2) END::float8 AS x
  FROM lists l JOIN events e ON e.recommendation_id = l.recommendation_id
  WHERE e.product_id = ANY(l.product_ids) AND e.occurred_at >= l.served_at AND e.occurred_at < l.served_at + make_interval(secs => $3::float8 * 3600)
  GROUP BY 1, 2
), per_user AS (
  SELECT s.variant, s.lists, s.n, COALESCE(a.x, 0) AS x FROM shown s LEFT JOIN acted a USING (variant, user_external_id)
)
SELECT variant, count(*)::int AS users, sum(lists)::int AS lists, sum(x) AS "sumX", sum(n) AS "sumN",
       sum(x * x) AS "sumXX", sum(n * n) AS "sumNN", sum(x * n) AS "sumXN"
FROM per_user GROUP BY variant`;

/**
 * Deletes a user or a product by external id ($1) with its rows of the prediction matrix, which has no
 * foreign keys (ratings and events go by cascade), and a user's served lists (impressions). For a product
 * that is a scan of the matrix (it is read by user): a rare erasure. Returns the internal id erased.
 */
export function eraseSql(table: 'users' | 'products'): string {
  const column = table === 'users' ? 'user_id' : 'product_id';
  const lists = table === 'users' ? ',\n     lists AS (DELETE FROM impressions WHERE user_external_id = $1 AND EXISTS (SELECT 1 FROM erased))' : '';
  return `
WITH erased AS (DELETE FROM ${table} WHERE external_id = $1 RETURNING id),
     matrix AS (DELETE FROM predictions WHERE ${column} IN (SELECT id FROM erased))${lists}
SELECT count(*)::int AS erased, min(id) AS id FROM erased`;
}

/** A merged visitor's served lists become the account's ($1 visitor, $2 account: external ids), so what they led to stays attributed. */
export const MOVE_IMPRESSIONS_SQL = 'UPDATE impressions SET user_external_id = $2 WHERE user_external_id = $1';

// ---------------------------------------------------------------------------
// Serving (src/serving/recommender.ts): every page view runs one of these.

export const PRODUCT_COLUMNS = `p.id, p.external_id AS "externalId", p.name, p.category, p.price, p.attributes,
  p.available, p.repurchasable, p.created_at AS "createdAt", p.updated_at AS "updatedAt"`;

const USER_COLUMNS = `u.id, u.external_id AS "externalId", u.name, u.attributes, u.visitor, u.created_at AS "createdAt", u.updated_at AS "updatedAt"`;

/** The user's ids only, where a statement returns a row per product (callers that want the user load it once). */
const USER_KEY_PREFIXED = `u.id AS "u_id", u.external_id AS "u_externalId"`;

/**
 * A product's row version: the id of the transaction that wrote the row, new
 * with every insert or update of it. Serving statements return it beside each
 * product id, so src/serving/product-cache.ts knows whether its copy is
 * current. (xmin is 32 bits and wraps after ~4 billion transactions; a copy
 * would have to be cached that long to be mistaken for current.)
 */
const PRODUCT_VERSION = 'p.xmin::text AS version';

/**
 * The best unrated products of one user, or of many, from the active matrix,
 * in one statement, each with its rank score (what the list is ordered by) and
 * predicted rating. $1 = external user ids, $2 = each user's rank score and
 * $3 their baseline rating (μ + b_u) for products the model has not seen,
 * $4 = internal ids of the products the model has not seen, $5 = the highest
 * product id when those were listed (newer ones are unseen too), $6 = rows per
 * user; then $7 = category when `category`, and the keyset cursor (rank score,
 * product id) when `cursor`.
 *
 * Each user's rows come from the unique index (user_id, score, product_id) read
 * backwards with LIMIT (the rating is in the index too), and skip what the user has rated since the matrix was
 * written (a probe of the ratings primary key), so a new rating counts at
 * once without touching the matrix. Products the model has not seen are read
 * from products instead, at the user's baseline score, and merged in the same
 * order. An unknown external id gets no row.
 *
 * Rows carry the product's id and row version, not its columns: the serving
 * process keeps products in memory (src/serving/product-cache.ts).
 *
 * `single` (one user; $1, $2 and $3 are scalars): a row per product, best first,
 * with the user's ids; a user with no unrated product gets one row with a null
 * product id. Scalars matter: with array parameters the planner weighs a
 * generic plan for 10 users against a custom one for the actual 1 and so
 * re-plans the named statement on every execution (two thirds of its cost);
 * with scalars PostgreSQL settles on the generic plan.
 *
 * Otherwise (arrays): a row per user and product, with the user's ids, users in
 * the order given and each best first; a null product id for a user with nothing left.
 */
/**
 * Whether product `product` (the row p) may be shown to user u: it is available, and u has not bought it
 * unless it is bought again (repurchasable). One probe of the events key per candidate, as for ratings.
 */
function servable(product: string, user = 'u.id'): string {
  return `p.available AND (p.repurchasable OR (SELECT 1 FROM events e WHERE e.user_id = ${user} AND e.product_id = ${product} AND e.type = 'purchase' LIMIT 1) IS NULL)`;
}

export function personalizedSql(options: { category: boolean; cursor: boolean; single?: boolean; matrix?: string }): string {
  const matrix = options.matrix ?? 'predictions';
  const category = options.category ? 'AND p.category = $7' : '';
  const c = options.category ? 8 : 7;
  const afterMatrix = options.cursor ? `AND (m.score, m.product_id) < ($${c}::real, $${c + 1}::int)` : '';
  const afterUnseen = options.cursor ? `AND (q.late_score, p.id) < ($${c}::real, $${c + 1}::int)` : '';
  const columns = `p.id, ${PRODUCT_VERSION}`;
  const ranked = `
  SELECT * FROM (
    (SELECT m.score, coalesce(m.rating, m.score) AS rating, ${columns}
     FROM ${matrix} m JOIN products p ON p.id = m.product_id
     WHERE m.user_id = u.id ${afterMatrix}
       AND m.product_id <= $5 AND m.product_id <> ALL($4::int[])
       -- Rated since the matrix was written? A scalar subquery, not NOT EXISTS: it is always
       -- one index probe per candidate row (about $6 of them), where the anti-join the planner
       -- makes of NOT EXISTS turned, while the visibility map of ratings was unset, into a scan
       -- of all the user's ratings per candidate.
       AND (SELECT 1 FROM ratings r WHERE r.user_id = u.id AND r.product_id = m.product_id) IS NULL
       AND ${servable('m.product_id')}
       ${category}
     ORDER BY m.score DESC, m.product_id DESC
     LIMIT $6)
    UNION ALL
    (SELECT q.late_score AS score, q.late_rating AS rating, ${columns}
     FROM products p
     WHERE p.id = ANY($4::int[]) ${afterUnseen}
       AND NOT EXISTS (SELECT 1 FROM ratings r WHERE r.user_id = u.id AND r.product_id = p.id)
       AND ${servable('p.id')}
       ${category}
     ORDER BY p.id DESC
     LIMIT $6)
    UNION ALL
    -- Apart from the branch above so that each is one index range (an OR would scan products).
    (SELECT q.late_score AS score, q.late_rating AS rating, ${columns}
     FROM products p
     WHERE p.id > $5 ${afterUnseen}
       AND NOT EXISTS (SELECT 1 FROM ratings r WHERE r.user_id = u.id AND r.product_id = p.id)
       AND ${servable('p.id')}
       ${category}
     ORDER BY p.id DESC
     LIMIT $6)
  ) merged
  ORDER BY score DESC, id DESC
  LIMIT $6`;
  if (options.single) {
    return `
SELECT ${USER_KEY_PREFIXED}, t.*
FROM (SELECT $1::text AS external_id, $2::real AS late_score, $3::real AS late_rating) q
JOIN users u ON u.external_id = q.external_id
LEFT JOIN LATERAL (${ranked}
) t ON true
ORDER BY t.score DESC, t.id DESC`;
  }
  return `
SELECT ${USER_KEY_PREFIXED}, t.*
FROM unnest($1::text[], $2::real[], $3::real[]) WITH ORDINALITY AS q(external_id, late_score, late_rating, ord)
JOIN users u ON u.external_id = q.external_id
LEFT JOIN LATERAL (${ranked}
) t ON true
ORDER BY q.ord, t.score DESC, t.id DESC`;
}

/**
 * The promoted products ($2, internal ids) as candidates of users $1 (internal ids) the matrix ranks: each
 * pair's stored rank score and predicted rating, where the product may be shown to the user (as in their
 * list: not rated, not bought unless repurchasable, available, of category $3 when it is not null), from the
 * served matrix or an experiment variant's. A top-K matrix holds only the pairs it kept.
 */
export const promotedCandidatesSql = (matrix = 'predictions') => `
SELECT m.user_id AS "userId", m.score, coalesce(m.rating, m.score) AS rating, p.id, ${PRODUCT_VERSION}
FROM ${matrix} m JOIN products p ON p.id = m.product_id
JOIN users u ON u.id = m.user_id
WHERE m.user_id = ANY($1::int[]) AND m.product_id = ANY($2::int[])
  AND ($3::text IS NULL OR p.category = $3)
  AND (SELECT 1 FROM ratings r WHERE r.user_id = u.id AND r.product_id = m.product_id) IS NULL
  AND ${servable('m.product_id')}`;

/**
 * Products done together with product $1 (internal id) by the same shoppers (src/serving/sources/together.ts):
 * over the latest $5 events of type $2 on it, every event of that type by the same user within $4 seconds
 * of it, weighted by 0.5^(|Δt| / $3 seconds); products that may be shown (available), heaviest first, $6 of them.
 */
export const TOGETHER_SQL = `
WITH anchor AS (
  SELECT user_id, occurred_at FROM events WHERE product_id = $1 AND type = $2::"EventType" ORDER BY occurred_at DESC LIMIT $5
)
SELECT e.product_id AS id, sum(power(0.5, abs(extract(epoch FROM e.occurred_at - a.occurred_at)) / $3))::float8 AS weight,
       (SELECT count(*) FROM anchor)::int AS anchors
FROM anchor a
JOIN events e ON e.user_id = a.user_id AND e.type = $2::"EventType" AND e.product_id <> $1
  AND e.occurred_at BETWEEN a.occurred_at - make_interval(secs => $4) AND a.occurred_at + make_interval(secs => $4)
JOIN products p ON p.id = e.product_id AND p.available
GROUP BY e.product_id
ORDER BY weight DESC, e.product_id DESC
LIMIT $6`;

/**
 * Users the active model does not know, by external id ($1), with their attributes (feature towers): the
 * internal ids of every product each has rated or bought (of those not bought again), never shown to them; and, to fit the ones who did enough
 * (src/serving/fresh-users.ts), what they did: their latest 200 ratings and 200 events, with the products'
 * ids (JSON: productId, productExternalId, value for a rating, type for an event, at).
 */
export const COLD_USERS_SQL = `
SELECT ${USER_KEY_PREFIXED}, u.attributes AS "u_attributes", ARRAY(
  SELECT r.product_id FROM ratings r WHERE r.user_id = u.id
  UNION ALL
  SELECT e.product_id FROM events e JOIN products p ON p.id = e.product_id WHERE e.user_id = u.id AND e.type = 'purchase' AND NOT p.repurchasable
) AS rated,
(SELECT json_agg(json_build_object('productId', p.id, 'productExternalId', p.external_id, 'value', x.value, 'type', x.type, 'at', x.at))
 FROM ((SELECT r.product_id, r.value, NULL::"EventType" AS type, r.updated_at AS at FROM ratings r WHERE r.user_id = u.id ORDER BY r.updated_at DESC LIMIT 200)
       UNION ALL
       (SELECT e.product_id, NULL::real, e.type, e.occurred_at FROM events e WHERE e.user_id = u.id ORDER BY e.occurred_at DESC LIMIT 200)) x
 JOIN products p ON p.id = x.product_id) AS interactions
FROM users u WHERE u.external_id = ANY($1::text[])`;

/** Products by internal id ($1), and every product added since the popular ranking was computed (id above $2). */
export const PRODUCTS_BY_IDS_OR_NEWER_SQL = `SELECT ${PRODUCT_COLUMNS} FROM products p WHERE p.id = ANY($1::int[]) OR p.id > $2`;

/** Products by internal id with their row versions (src/serving/product-cache.ts). $1 = ids. */
export const PRODUCTS_WITH_VERSION_BY_IDS_SQL = `SELECT ${PRODUCT_COLUMNS}, ${PRODUCT_VERSION} FROM products p WHERE p.id = ANY($1::int[])`;

/** Row versions of the available products among internal ids $1 (a kept list checked as it is served). */
export const AVAILABLE_VERSIONS_SQL = `SELECT p.id, ${PRODUCT_VERSION} FROM products p WHERE p.id = ANY($1::int[]) AND p.available`;

export const PRODUCTS_BY_EXTERNAL_IDS_SQL = `SELECT ${PRODUCT_COLUMNS} FROM products p WHERE p.external_id = ANY($1::text[])`;

/** Products by internal id. $1 = ids. */
export const PRODUCTS_BY_IDS_SQL = `SELECT ${PRODUCT_COLUMNS} FROM products p WHERE p.id = ANY($1::int[])`;

/**
 * Users by external id. Through the pool, not Prisma: a 1,000-user recommendationsForUsers loads its
 * users here, and Prisma's client was a large share of that request's time (perf).
 */
export const USERS_BY_EXTERNAL_IDS_SQL = `SELECT ${USER_COLUMNS} FROM users u WHERE u.external_id = ANY($1::text[])`;

/**
 * Every product with the count and sum of its ratings and implied ratings, for the popular ranking (a
 * Bayesian average computed in src/serving/popularity.ts): a (user, product) pair with events and no
 * rating counts once, as $1 + weight × ($2 − $1) of its strongest event ($3..$6 = the weights of view,
 * cart, wishlist, purchase), as a run learns it.
 */
export const PRODUCT_RATING_TOTALS_SQL = `
SELECT p.id, p.category, coalesce(t.n, 0)::int AS n, coalesce(t.total, 0)::float8 AS total
FROM products p
LEFT JOIN (
  SELECT product_id, count(*) AS n, sum(value) AS total FROM (
    SELECT product_id, value::float8 AS value FROM ratings
    UNION ALL
    SELECT e.product_id, $1::float8 + max(CASE e.type WHEN 'view' THEN $3::float8 WHEN 'cart' THEN $4::float8 WHEN 'wishlist' THEN $5::float8 ELSE $6::float8 END) * ($2::float8 - $1::float8)
    FROM events e
    WHERE NOT EXISTS (SELECT 1 FROM ratings r WHERE r.user_id = e.user_id AND r.product_id = e.product_id)
    GROUP BY e.user_id, e.product_id
  ) x GROUP BY product_id
) t ON t.product_id = p.id`;

/**
 * Each product's heat (src/rules/trending.ts): its events of the last $2 seconds weighted by kind ($3..$6 =
 * view, cart, wishlist, purchase) and halved every $1 seconds of age; hottest first. Reads the events'
 * time index for the window.
 */
export const TRENDING_SQL = `
SELECT e.product_id AS id,
       sum(CASE e.type WHEN 'view' THEN $3::float8 WHEN 'cart' THEN $4::float8 WHEN 'wishlist' THEN $5::float8 ELSE $6::float8 END
           * power(0.5, extract(epoch FROM now() - e.occurred_at) / $1::float8)) AS heat
FROM events e
WHERE e.occurred_at > now() - make_interval(secs => $2::float8)
GROUP BY e.product_id
HAVING sum(CASE e.type WHEN 'view' THEN $3::float8 WHEN 'cart' THEN $4::float8 WHEN 'wishlist' THEN $5::float8 ELSE $6::float8 END) > 0
ORDER BY heat DESC, e.product_id DESC`;

/** Every product's internal and external id (which of them the active model has not seen). */
export const PRODUCT_IDS_SQL = 'SELECT id, external_id AS "externalId" FROM products';

/**
 * What users ($1, external ids) rated, re-rated or bought in the last $2 seconds: read from the primary
 * when the ranking itself is read from a replica that may not have them yet.
 */
export const RECENTLY_RATED_SQL = `
SELECT u.external_id AS "externalId", r.product_id AS "productId"
FROM users u JOIN ratings r ON r.user_id = u.id
WHERE u.external_id = ANY($1::text[]) AND r.updated_at > now() - make_interval(secs => $2::float8)
UNION ALL
SELECT u.external_id, e.product_id
FROM users u JOIN events e ON e.user_id = u.id
WHERE u.external_id = ANY($1::text[]) AND e.type = 'purchase' AND e.created_at > now() - make_interval(secs => $2::float8)`;

/** How many available products user $1 has neither rated nor bought (of those not bought again) ($2 = category, or null for all). */
export const UNRATED_COUNT_SQL = `
SELECT (SELECT count(*) FROM products p WHERE p.available AND ($2::text IS NULL OR p.category = $2))
     - (SELECT count(*) FROM products p
        WHERE p.id IN (SELECT r.product_id FROM ratings r WHERE r.user_id = $1
                       UNION SELECT e.product_id FROM events e WHERE e.user_id = $1 AND e.type = 'purchase')
          AND p.available AND ($2::text IS NULL OR p.category = $2)
          -- Each is rated or bought: bought only, it still counts when it is bought again.
          AND (NOT p.repurchasable OR EXISTS (SELECT 1 FROM ratings r WHERE r.user_id = $1 AND r.product_id = p.id))) AS n`;

/**
 * What the matrix leaves out: every rated pair, and every purchase of a product not bought again
 * (repurchasable = false), in binary COPY format, in no order (a pair may come twice).
 */
export const MATRIX_EXCLUSIONS_COPY_SQL = `COPY (
  SELECT user_id, product_id, value FROM ratings
  UNION ALL
  SELECT DISTINCT e.user_id, e.product_id, 0::real FROM events e JOIN products p ON p.id = e.product_id
  WHERE e.type = 'purchase' AND NOT p.repurchasable
) TO STDOUT (FORMAT binary)`;

/** Every (user, product) pair with an event, in binary COPY format (as the exclusions above), in no order. */
export const MATRIX_SEEN_COPY_SQL = `COPY (SELECT DISTINCT user_id, product_id, 0::real FROM events) TO STDOUT (FORMAT binary)`;

/**
 * What a top-K matrix leaves out for user $1 ($2 = category, or null): the products neither in its stored
 * list nor rated by it, scored on the fly when its list is paged past its end (src/serving/beyond-matrix.ts),
 * and whether the user did anything with each (seen).
 */
export const BEYOND_MATRIX_SQL = `
SELECT p.id, p.external_id AS "externalId", ${PRODUCT_VERSION},
       EXISTS (SELECT 1 FROM events e WHERE e.user_id = $1 AND e.product_id = p.id) AS seen
FROM products p
WHERE ($2::text IS NULL OR p.category = $2)
  AND NOT EXISTS (SELECT 1 FROM predictions m WHERE m.user_id = $1 AND m.product_id = p.id)
  AND NOT EXISTS (SELECT 1 FROM ratings r WHERE r.user_id = $1 AND r.product_id = p.id)
  AND ${servable('p.id', '$1')}`;
