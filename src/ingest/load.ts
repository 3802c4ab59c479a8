// Bulk loading: rows are streamed with COPY into temporary staging tables, then
// merged into users/products/ratings with INSERT ... SELECT ... ON CONFLICT,
// all in ONE transaction, so an import is applied whole or not at all (an error,
// a strict-mode bad row or Ctrl-C anywhere leaves the database as it was).
// Ratings name users and products by external id; SQL joins resolve them.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { EVENT_TYPES } from '../events/event-log.js';
import { inTransaction } from '../store/transaction.js';
import { settleRatingScale } from '../store/rating-scale.js';
import {
  MAX_CATEGORY_LENGTH,
  MAX_NAME_LENGTH,
  attributesProblem,
  eventProblem,
  idProblem,
  ratingProblem,
  textProblem,
  type RatingScale,
} from '../store/validation.js';
import { ImportAbortedError, RowProblems } from './problems.js';
import type { Dataset, EventRow, ImportProgress, ImportResult, ProductRow, RatingRow, RowSource, Rows, TableName, UserRow } from './types.js';

export interface ImportOptions {
  /**
   * The allowed ratings as configured (RATING_MIN/MAX/STEP), when they were: the database's scale must
   * agree. Absent, the database's scale is used (or, in a database without one, the format's or the default).
   */
  scale?: RatingScale;
  /** Where bad rows go; pass one in to share it with a parser or to make the import strict. */
  problems?: RowProblems;
  /** Called while reading (every few thousand rows) and before each SQL step. May throw to abort. */
  onProgress?: (progress: ImportProgress) => void;
  /** Aborting rolls the import back. */
  signal?: AbortSignal;
}

interface Pool {
  pool: pg.Pool;
}

const PROGRESS_EVERY_ROWS = 5000;
const ROWS_PER_COPY_CHUNK = 2000;

export async function importDataset(store: Pool, dataset: Dataset, options: ImportOptions = {}): Promise<ImportResult> {
  const started = performance.now();
  const problems = options.problems ?? new RowProblems();
  const users = asSource(dataset.users, 'users');
  const products = asSource(dataset.products, 'products');
  const ratings = asSource(dataset.ratings, 'ratings') ?? { name: 'ratings', rows: [] };
  const events = asSource(dataset.events, 'events');
  const createMissingUsers = dataset.createMissingUsers ?? !users;
  const createMissingProducts = dataset.createMissingProducts ?? !products;
  const skippedAtStart = { ...problems.byTable };
  const skippedSince = (table: TableName) => problems.byTable[table] - skippedAtStart[table];
  const checkAborted = () => {
    if (options.signal?.aborted) throw new ImportAbortedError();
  };

  const applied = await inTransaction(store.pool, async (client) => {
    // Deduplicating 100K ratings sorts a few MB: keep that sort in memory (the
    // default 4MB spills to disk); LOCAL ends with the transaction.
    await client.query(`SET LOCAL work_mem = '64MB'`);
    // Part of the import: a scale the import sets is rolled back with it.
    const scale = await settleRatingScale(client, { configured: options.scale, format: dataset.ratingFormat });
    await client.query(`
      CREATE TEMP TABLE import_users (seq int, line int, external_id text, name text, attributes jsonb) ON COMMIT DROP;
      CREATE TEMP TABLE import_products (seq int, line int, external_id text, name text, category text,
                                         price double precision, attributes jsonb, available boolean, repurchasable boolean) ON COMMIT DROP;
      CREATE TEMP TABLE import_ratings (seq int, line int, user_external_id text, product_external_id text,
                                        value real, rated_at_ms bigint) ON COMMIT DROP;
      CREATE TEMP TABLE import_events (seq int, line int, user_external_id text, product_external_id text,
                                       type "EventType", value real, occurred_at_ms bigint, event_id text) ON COMMIT DROP;`);

    const copy = <T extends { line?: number }>(table: TableName, source: RowSource<T>, columns: string, encode: (row: T) => string | string[]) =>
      copyRows(client, `COPY import_${table} (seq, line, ${columns}) FROM STDIN`, table, source, encode, problems, options.onProgress, checkAborted);

    const staged = { users: 0, products: 0, ratings: 0, events: 0 };
    // Which product flags the source gives: those it gives are set for every product it lists.
    const flagsGiven = { available: false, repurchasable: false };
    if (users) staged.users = await copy('users', users, 'external_id, name, attributes', (row) => encodeUser(row));
    if (products) {
      staged.products = await copy('products', products, 'external_id, name, category, price, attributes, available, repurchasable', (row) => {
        flagsGiven.available ||= row.available != null;
        flagsGiven.repurchasable ||= row.repurchasable != null;
        return encodeProduct(row);
      });
    }
    staged.ratings = await copy('ratings', ratings, 'user_external_id, product_external_id, value, rated_at_ms', (row) => encodeRating(row, scale));
    const now = Date.now();
    if (events) {
      staged.events = await copy('events', events, 'user_external_id, product_external_id, type, value, occurred_at_ms, event_id', (row) =>
        encodeEvent(row, now),
      );
    }
    const skippedWhileReading = {
      users: skippedSince('users'),
      products: skippedSince('products'),
      ratings: skippedSince('ratings'),
      events: skippedSince('events'),
    };

    const steps = ['analyze', 'users', 'products', 'missing', 'ratings', 'events', 'commit'];
    let stepIndex = 0;
    const step = (name: string) => {
      checkAborted();
      options.onProgress?.({ phase: 'apply', step: name, stepIndex: stepIndex++, steps: steps.length });
    };

    // Temporary tables are never auto-analyzed; without statistics the planner
    // guesses their size and may pick nested loops over hash joins.
    step('analyze');
    await client.query('ANALYZE import_users; ANALYZE import_products; ANALYZE import_ratings; ANALYZE import_events');

    step('users');
    const userCounts = staged.users ? await upsertUsers(client) : { inserted: 0, updated: 0, distinct: 0 };
    step('products');
    const productCounts = staged.products ? await upsertProducts(client, flagsGiven) : { inserted: 0, updated: 0, distinct: 0 };

    step('missing');
    const createdUsers = createMissingUsers ? await createMissing(client, 'users') : 0;
    const createdProducts = createMissingProducts ? await createMissing(client, 'products') : 0;
    const unresolved = await reportUnresolved(client, 'ratings', ratings.name, problems);
    const unresolvedEvents = events ? await reportUnresolved(client, 'events', events.name, problems) : 0;

    step('ratings');
    const ratingCounts = await upsertRatings(client);
    step('events');
    const insertedEvents = staged.events ? await insertEvents(client) : 0;

    step('commit');
    return {
      staged,
      skippedWhileReading,
      userCounts,
      productCounts,
      createdUsers,
      createdProducts,
      unresolved,
      unresolvedEvents,
      ratingCounts,
      insertedEvents,
    };
  });
  const { staged, skippedWhileReading, userCounts, productCounts, createdUsers, createdProducts, unresolved, unresolvedEvents, ratingCounts, insertedEvents } =
    applied;
  // Fresh statistics for the tables just loaded: a bulk load can change their size
  // by orders of magnitude, and plans (prepared ones included) follow the statistics.
  // VACUUM too, for the visibility map: until it is set, an index-only scan of
  // ratings reads the heap, the planner prices it so, and the serving statement's
  // "not rated yet" check turned from one index probe per candidate into a scan
  // of all the user's ratings per candidate (5x its PostgreSQL time in
  // bench:serve, until autovacuum came by). Not in a transaction: VACUUM cannot be.
  await store.pool.query('VACUUM (ANALYZE) users, products, ratings, events');

  const counts = (table: 'users' | 'products', written: { inserted: number; updated: number; distinct: number }) => ({
    read: staged[table] + skippedWhileReading[table],
    skipped: skippedWhileReading[table],
    inserted: written.inserted,
    updated: written.updated,
    unchanged: written.distinct - written.inserted - written.updated,
  });
  return {
    users: { ...counts('users', userCounts), inserted: userCounts.inserted + createdUsers, createdFromRatings: createdUsers },
    products: {
      ...counts('products', productCounts),
      inserted: productCounts.inserted + createdProducts,
      createdFromRatings: createdProducts,
    },
    ratings: {
      read: staged.ratings + skippedWhileReading.ratings,
      skipped: skippedWhileReading.ratings + unresolved,
      inserted: ratingCounts.inserted,
      updated: ratingCounts.updated,
      unchanged: ratingCounts.distinct - ratingCounts.inserted - ratingCounts.updated,
      duplicates: staged.ratings - unresolved - ratingCounts.distinct,
    },
    events: {
      read: staged.events + skippedWhileReading.events,
      skipped: skippedWhileReading.events + unresolvedEvents,
      inserted: insertedEvents,
      duplicates: staged.events - unresolvedEvents - insertedEvents,
    },
    problems: { count: problems.count, sample: problems.sample },
    seconds: (performance.now() - started) / 1000,
  };
}

function asSource<T>(input: RowSource<T> | Rows<T> | undefined, name: string): RowSource<T> | undefined {
  if (input === undefined) return undefined;
  if (typeof input === 'object' && input !== null && 'rows' in input) return input;
  return { name, rows: input, totalRows: Array.isArray(input) ? input.length : undefined };
}

/**
 * Streams rows into a COPY, in chunks of a few thousand lines. `encode` returns the
 * COPY line (without seq and line) or a problem message for a bad row.
 */
async function copyRows<T extends { line?: number }>(
  client: pg.PoolClient,
  sql: string,
  table: TableName,
  source: RowSource<T>,
  encode: (row: T) => string | string[],
  problems: RowProblems,
  onProgress: ImportOptions['onProgress'],
  checkAborted: () => void,
): Promise<number> {
  let read = 0;
  let staged = 0;
  const progress = (finished: boolean) =>
    onProgress?.({
      phase: 'read',
      table,
      source: source.name,
      rows: read,
      bytesRead: source.bytesRead?.(),
      totalBytes: source.totalBytes,
      totalRows: source.totalRows,
      finished,
    });
  async function* chunks(): AsyncGenerator<string> {
    let lines: string[] = [];
    for await (const row of source.rows) {
      read++;
      const line = row.line ?? read;
      const encoded = encode(row);
      if (typeof encoded === 'string') {
        staged++;
        lines.push(`${staged}\t${line}\t${encoded}\n`);
      } else {
        problems.report({ table, file: source.name, line, message: encoded.join('; ') });
      }
      if (lines.length >= ROWS_PER_COPY_CHUNK) {
        checkAborted();
        yield lines.join('');
        lines = [];
      }
      if (read % PROGRESS_EVERY_ROWS === 0) progress(false);
    }
    if (lines.length) yield lines.join('');
    checkAborted();
  }
  await pipeline(Readable.from(chunks()), client.query(copyFrom(sql)));
  progress(true);
  return staged;
}

// COPY text format: backslash, tab, newline and carriage return must be escaped; \N is NULL.
const COPY_SPECIAL = /[\\\t\n\r]/;
const COPY_SPECIAL_ALL = /[\\\t\n\r]/g;
const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };
const NULL = '\\N';

function copyText(value: string | null | undefined): string {
  if (value === null || value === undefined) return NULL;
  return COPY_SPECIAL.test(value) ? value.replace(COPY_SPECIAL_ALL, (c) => COPY_ESCAPES[c]) : value;
}

function attributesJson(attributes: unknown, problems: string[]): string | null {
  if (attributes === undefined || attributes === null) return null;
  const problem = attributesProblem(attributes);
  if (problem) {
    problems.push(problem);
    return null;
  }
  return JSON.stringify(attributes);
}

function collect(...found: (string | null)[]): string[] {
  return found.filter((p): p is string => p !== null);
}

function encodeUser(row: UserRow): string | string[] {
  const found = collect(idProblem(row.externalId, 'user id'), textProblem(row.name, 'user name', MAX_NAME_LENGTH, false));
  const attributes = attributesJson(row.attributes, found);
  if (found.length) return found;
  return `${copyText(row.externalId)}\t${copyText(row.name)}\t${copyText(attributes)}`;
}

function encodeProduct(row: ProductRow): string | string[] {
  const found = collect(
    idProblem(row.externalId, 'product id'),
    textProblem(row.name, 'product name', MAX_NAME_LENGTH, true),
    textProblem(row.category, 'category', MAX_CATEGORY_LENGTH, false),
    row.price === undefined || row.price === null || (typeof row.price === 'number' && Number.isFinite(row.price))
      ? null
      : `price must be a number, got ${JSON.stringify(row.price)}`,
  );
  const attributes = attributesJson(row.attributes, found);
  if (found.length) return found;
  const price = row.price === undefined || row.price === null ? NULL : String(row.price);
  const flag = (value: boolean | null | undefined) => (value == null ? NULL : String(value));
  return `${copyText(row.externalId)}\t${copyText(row.name)}\t${copyText(row.category)}\t${price}\t${copyText(attributes)}\t${flag(row.available)}\t${flag(row.repurchasable)}`;
}

function encodeRating(row: RatingRow, scale: RatingScale): string | string[] {
  const time = row.timestamp?.getTime();
  const found = collect(
    idProblem(row.userId, 'user id'),
    idProblem(row.productId, 'product id'),
    ratingProblem(row.value, scale),
    time !== undefined && !Number.isFinite(time) ? 'timestamp is not a valid date' : null,
  );
  if (found.length) return found;
  return `${copyText(row.userId)}\t${copyText(row.productId)}\t${row.value}\t${time === undefined ? NULL : time}`;
}

const EVENT_TYPE_NAMES: readonly string[] = EVENT_TYPES;

function encodeEvent(row: EventRow, now: number): string | string[] {
  const time = row.timestamp?.getTime();
  const type = typeof row.type === 'string' ? row.type.trim().toLowerCase() : '';
  const found = collect(
    idProblem(row.userId, 'user id'),
    idProblem(row.productId, 'product id'),
    EVENT_TYPE_NAMES.includes(type) ? null : `event type must be one of ${EVENT_TYPES.join(', ')}, got ${JSON.stringify(row.type)}`,
    eventProblem({ at: row.timestamp, value: row.value }, 'event', now),
    row.eventId == null ? null : idProblem(row.eventId, 'event id'),
  );
  if (found.length) return found;
  const value = row.value === undefined || row.value === null ? NULL : String(row.value);
  return `${copyText(row.userId)}\t${copyText(row.productId)}\t${type}\t${value}\t${time === undefined ? NULL : time}\t${row.eventId == null ? NULL : copyText(row.eventId)}`;
}

interface WriteCounts {
  /** Distinct rows after dropping repeats within the import. */
  distinct: number;
  inserted: number;
  updated: number;
}

// `xmax = 0` tells a freshly inserted row from one updated by ON CONFLICT.
// The WHERE on DO UPDATE skips rows whose fields would not change, so a
// re-import rewrites nothing and leaves updated_at alone.
async function writeCounts(client: pg.PoolClient, sql: string): Promise<WriteCounts> {
  const { rows } = await client.query<WriteCounts>(`
    WITH ${sql}
    SELECT (SELECT count(*) FROM latest) AS distinct,
           count(*) FILTER (WHERE inserted) AS inserted,
           count(*) FILTER (WHERE NOT inserted) AS updated
    FROM written`);
  return rows[0];
}

/** Given fields replace stored ones; absent (NULL) ones keep them; attributes merge key by key. */
function upsertUsers(client: pg.PoolClient): Promise<WriteCounts> {
  return writeCounts(
    client,
    `latest AS (
       SELECT DISTINCT ON (external_id) external_id, name, COALESCE(attributes, '{}') AS attributes
       FROM import_users ORDER BY external_id, seq DESC
     ), written AS (
       INSERT INTO users AS u (external_id, name, attributes)
       SELECT external_id, name, attributes FROM latest
       ON CONFLICT (external_id) DO UPDATE
         SET name = COALESCE(EXCLUDED.name, u.name), attributes = u.attributes || EXCLUDED.attributes, visitor = false, updated_at = now()
         WHERE (COALESCE(EXCLUDED.name, u.name), u.attributes || EXCLUDED.attributes, false) IS DISTINCT FROM (u.name, u.attributes, u.visitor)
       RETURNING (xmax = 0) AS inserted
     )`,
  );
}

function upsertProducts(client: pg.PoolClient, given: { available: boolean; repurchasable: boolean }): Promise<WriteCounts> {
  const available = given.available ? 'EXCLUDED.available' : 'p.available';
  const repurchasable = given.repurchasable ? 'EXCLUDED.repurchasable' : 'p.repurchasable';
  return writeCounts(
    client,
    `latest AS (
       SELECT DISTINCT ON (external_id) external_id, name, category, price, COALESCE(attributes, '{}') AS attributes,
              COALESCE(available, true) AS available, COALESCE(repurchasable, false) AS repurchasable
       FROM import_products ORDER BY external_id, seq DESC
     ), written AS (
       INSERT INTO products AS p (external_id, name, category, price, attributes, available, repurchasable)
       SELECT external_id, name, category, price, attributes, available, repurchasable FROM latest
       ON CONFLICT (external_id) DO UPDATE
         SET name = EXCLUDED.name,
             category = COALESCE(EXCLUDED.category, p.category),
             price = COALESCE(EXCLUDED.price, p.price),
             attributes = p.attributes || EXCLUDED.attributes,
             available = ${available},
             repurchasable = ${repurchasable},
             updated_at = now()
         WHERE (EXCLUDED.name, COALESCE(EXCLUDED.category, p.category), COALESCE(EXCLUDED.price, p.price),
                p.attributes || EXCLUDED.attributes, ${available}, ${repurchasable})
               IS DISTINCT FROM (p.name, p.category, p.price, p.attributes, p.available, p.repurchasable)
       RETURNING (xmax = 0) AS inserted
     )`,
  );
}

/**
 * Creates the users or products that ratings or events mention but that do not exist.
 * Products need a name: they get "Product <external id>".
 */
async function createMissing(client: pg.PoolClient, table: 'users' | 'products'): Promise<number> {
  const sql =
    table === 'users'
      ? `INSERT INTO users (external_id)
         SELECT user_external_id FROM import_ratings UNION SELECT user_external_id FROM import_events
         ON CONFLICT (external_id) DO NOTHING`
      : `INSERT INTO products (external_id, name)
         SELECT id, 'Product ' || id FROM (SELECT product_external_id FROM import_ratings UNION SELECT product_external_id FROM import_events) t(id)
         ON CONFLICT (external_id) DO NOTHING`;
  const result = await client.query(sql);
  return result.rowCount ?? 0;
}

/** Reports each rating (or event) whose user or product does not exist as a bad row. */
async function reportUnresolved(client: pg.PoolClient, table: 'ratings' | 'events', file: string, problems: RowProblems): Promise<number> {
  const { rows } = await client.query<{ line: number; user_external_id: string; product_external_id: string; no_user: boolean; no_product: boolean }>(`
    SELECT r.line, r.user_external_id, r.product_external_id, u.id IS NULL AS no_user, p.id IS NULL AS no_product
    FROM import_${table} r
    LEFT JOIN users u ON u.external_id = r.user_external_id
    LEFT JOIN products p ON p.external_id = r.product_external_id
    WHERE u.id IS NULL OR p.id IS NULL
    ORDER BY r.seq`);
  for (const row of rows) {
    const missing = [
      row.no_user ? `unknown user "${row.user_external_id}"` : null,
      row.no_product ? `unknown product "${row.product_external_id}"` : null,
    ].filter(Boolean);
    problems.report({ table, file, line: row.line, message: missing.join(' and ') });
  }
  return rows.length;
}

/**
 * A rating given again replaces the value and bumps updated_at (only when the
 * value changed). New ratings take the source's timestamp as created_at/updated_at.
 */
function upsertRatings(client: pg.PoolClient): Promise<WriteCounts> {
  // Sorted by (user_id, product_id): inserts then walk the primary key in order.
  return writeCounts(
    client,
    `latest AS (
       SELECT DISTINCT ON (u.id, p.id) u.id AS user_id, p.id AS product_id, r.value,
              COALESCE(to_timestamp(r.rated_at_ms / 1000.0), now()) AS rated_at
       FROM import_ratings r
       JOIN users u ON u.external_id = r.user_external_id
       JOIN products p ON p.external_id = r.product_external_id
       ORDER BY u.id, p.id, r.seq DESC
     ), written AS (
       INSERT INTO ratings AS t (user_id, product_id, value, created_at, updated_at)
       SELECT user_id, product_id, value, rated_at, rated_at FROM latest
       ON CONFLICT (user_id, product_id) DO UPDATE
         SET value = EXCLUDED.value, updated_at = now()
         WHERE t.value IS DISTINCT FROM EXCLUDED.value
       RETURNING (xmax = 0) AS inserted
     )`,
  );
}

/** Events are added, never replaced; one recorded before (same user, product, type and time) is kept once. */
async function insertEvents(client: pg.PoolClient): Promise<number> {
  const result = await client.query(`
    INSERT INTO events (user_id, product_id, type, value, occurred_at, event_id)
    SELECT u.id, p.id, e.type, e.value, COALESCE(to_timestamp(e.occurred_at_ms / 1000.0), now()), e.event_id
    FROM import_events e
    JOIN users u ON u.external_id = e.user_external_id
    JOIN products p ON p.external_id = e.product_external_id
    ORDER BY u.id, p.id, e.seq
    ON CONFLICT DO NOTHING`);
  return result.rowCount ?? 0;
}
