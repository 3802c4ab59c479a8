// Reads what a run learns from, and what its matrix must cover, out of the
// store. The model indexes users and products densely (0..n-1); the id maps
// saved with the artifacts turn indices back into the shop's ids.
import type pg from 'pg';
import type { RatingData } from '../model/data.js';
import type { TrainingConfig } from '../model/config.js';
import { copyColumns, copyRatings } from '../store/rating-copy.js';
import { inTransaction } from '../store/transaction.js';
import { MATRIX_EXCLUSIONS_COPY_SQL, MATRIX_SEEN_COPY_SQL } from '../store/sql.js';
import { impliedRating, interactionsCopySql, type Interactions } from './implicit-feedback.js';
import { featureSide, productTokens, userTokens, type EntityFeatures } from '../model/features.js';
import { trainingProfile, type DataProfile } from '../monitoring/drift.js';

/** The file beside a saved model that maps its indices to the shop's ids. */
export const VOCABULARY_JSON = 'vocabulary.json';

export interface Vocabulary {
  /** Shop ids of the model's users, by model index. */
  users: string[];
  /** Shop ids of the model's products, by model index. */
  products: string[];
  /** With feature towers: the users' token names, by token id (src/model/features.ts). */
  userTokens?: string[];
}

export interface TrainingSet {
  vocabulary: Vocabulary;
  /** Ratings, then the pairs learnt from events (as implicit ratings), with their times. */
  interactions: Interactions;
  /** The users' and products' feature tokens, when the configuration learns from them. */
  features?: EntityFeatures;
  counts: { users: number; products: number; ratings: number; eventPairs: number; ratedUsers: number; ratedProducts: number };
  /** What it holds, per star and category, as of its snapshot: the reference of the drift watch. */
  profile: DataProfile;
}

const INTERACTION_KINDS = ['int4', 'int4', 'float4', 'float8', 'int4', 'int4'] as const;

/**
 * All ratings and events, in one consistent snapshot, streamed into typed arrays
 * (src/store/rating-copy.ts, implicit-feedback.ts). The model's vocabulary is the users and products that
 * have at least one rating or event, each in ascending internal id: the others have nothing to learn
 * from and are served by the baseline or the popular ranking. With feature towers every product of the
 * catalog is in it: one without interactions is scored from its tokens.
 */
export async function loadTrainingSet(pool: pg.Pool, c: Pick<TrainingConfig, 'eventWeights' | 'minRating' | 'maxRating' | 'features'>): Promise<TrainingSet> {
  // One consistent snapshot of everything the run learns from.
  const read = await inTransaction(
    pool,
    async (client) => {
      const totals = await client.query<{ users: number; products: number; ratings: number }>(
        "SELECT (SELECT count(*) FROM users)::int AS users, (SELECT count(*) FROM products)::int AS products, (SELECT reltuples FROM pg_class WHERE oid = 'ratings'::regclass)::float8 AS ratings",
      );
      const copied = await copyColumns(client, interactionsCopySql(c.eventWeights), INTERACTION_KINDS, Math.max(0, totals.rows[0].ratings));
      const users = await client.query<{ id: number; external_id: string; attributes: unknown }>(
        `SELECT id, external_id${c.features ? ', attributes' : ''} FROM users WHERE id IN (SELECT user_id FROM ratings UNION SELECT user_id FROM events) ORDER BY id`,
      );
      const products = await client.query<{ id: number; external_id: string; category: string | null; price: number | null; attributes: unknown }>(
        `SELECT id, external_id${c.features ? ', category, price, attributes' : ''} FROM products${c.features ? '' : ' WHERE id IN (SELECT product_id FROM ratings UNION SELECT product_id FROM events)'} ORDER BY id`,
      );
      return { totals, copied, users, products, profile: await trainingProfile(client) };
    },
    'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY',
  );
  const { totals, copied, users, products, profile } = read;
  const [userIds, productIds, values, time, kind, excluding] = copied.columns;
  const userIndex = denseIndex(users.rows.map((r) => r.id));
  const productIndex = denseIndex(products.rows.map((r) => r.id));
  const n = copied.count;
  const data: RatingData = {
    userIdx: new Int32Array(n),
    itemIdx: new Int32Array(n),
    ratings: values,
    numUsers: users.rows.length,
    numItems: products.rows.length,
  };
  const fromEvents = new Uint8Array(n);
  let eventPairs = 0;
  for (let k = 0; k < n; k++) {
    data.userIdx[k] = userIndex[userIds[k]];
    data.itemIdx[k] = productIndex[productIds[k]];
    if (kind[k] === 1) {
      fromEvents[k] = 1;
      values[k] = impliedRating(values[k], c);
      eventPairs++;
    }
  }
  const features = c.features
    ? { users: featureSide(users.rows.map((u) => userTokens(u.attributes))), items: featureSide(products.rows.map((p) => productTokens(p))) }
    : undefined;
  return {
    vocabulary: {
      users: users.rows.map((r) => r.external_id),
      products: products.rows.map((r) => r.external_id),
      ...(features && { userTokens: features.users.names }),
    },
    interactions: { data, time, fromEvents, excludes: Uint8Array.from(excluding.subarray(0, n)) },
    features,
    profile,
    counts: {
      users: totals.rows[0].users,
      products: totals.rows[0].products,
      ratings: n - eventPairs,
      eventPairs,
      ratedUsers: data.numUsers,
      ratedProducts: c.features ? countDistinct(data.itemIdx, data.numItems) : data.numItems,
    },
  };
}

function countDistinct(indices: Int32Array, size: number): number {
  const seen = new Uint8Array(size);
  let n = 0;
  for (const i of indices) if (!seen[i]) n += seen[i] = 1;
  return n;
}

/** index[id] = position of id in the ascending `ids` (internal ids are small positive integers). */
function denseIndex(ids: number[]): Int32Array {
  const index = new Int32Array((ids.length ? ids[ids.length - 1] : 0) + 1).fill(-1);
  ids.forEach((id, k) => (index[id] = k));
  return index;
}

/** Each model user's rated (or bought) products (internal ids): `products[start[u] .. start[u + 1])`. */
export interface RatedProducts {
  start: Int32Array;
  products: Int32Array;
}

export interface MatrixTargets {
  /** For each model user index: its internal id now, or -1 when the user was deleted since. */
  userIds: Int32Array;
  /** Internal ids of every product now; the first `known` are the model's products, by model index. */
  productIds: Int32Array;
  /** How many of productIds the model knows (the rest are scored by the baseline). */
  known: number;
  /** What each model user has rated now, or bought (of the products not bought again): left out of the matrix. */
  rated: RatedProducts;
  /** What each model user has viewed, carted or wishlisted (any event): shown again only as the run's blend says. */
  seen: RatedProducts;
}

/** The products model user `u` has done anything with (internal ids, in no order; rated ones among them). */
export function seenBy(targets: MatrixTargets, u: number): Int32Array {
  return targets.seen.products.subarray(targets.seen.start[u], targets.seen.start[u + 1]);
}

/** The products model user `u` has rated or bought (internal ids, in no order). */
export function ratedBy(rated: RatedProducts, u: number): Int32Array {
  return rated.products.subarray(rated.start[u], rated.start[u + 1]);
}

/**
 * Maps a model's vocabulary onto the store as it is now, for scoring: products
 * added since training are appended (the baseline scores them), products and
 * users deleted since are left out, and current ratings and purchases are excluded.
 */
export async function loadMatrixTargets(pool: pg.Pool, vocabulary: Vocabulary): Promise<MatrixTargets> {
  const users = await pool.query<{ id: number; external_id: string }>('SELECT id, external_id FROM users WHERE external_id = ANY($1::text[])', [
    vocabulary.users,
  ]);
  const products = await pool.query<{ id: number; external_id: string }>('SELECT id, external_id FROM products ORDER BY id');
  const userId = new Map(users.rows.map((r) => [r.external_id, r.id]));
  const productId = new Map(products.rows.map((r) => [r.external_id, r.id]));

  const userIds = Int32Array.from(vocabulary.users, (ext) => userId.get(ext) ?? -1);
  const knownIds = vocabulary.products.map((ext) => productId.get(ext) ?? -1);
  const knownSet = new Set(knownIds);
  const extra = products.rows.filter((r) => !knownSet.has(r.id)).map((r) => r.id);
  // Deleted products keep their slot (id -1) so indices stay aligned; they are skipped when writing.
  const productIds = Int32Array.from([...knownIds, ...extra]);

  const client = await pool.connect();
  let ratings: Awaited<ReturnType<typeof copyRatings>>;
  let events: Awaited<ReturnType<typeof copyRatings>>;
  try {
    ratings = await copyRatings(client, MATRIX_EXCLUSIONS_COPY_SQL);
    events = await copyRatings(client, MATRIX_SEEN_COPY_SQL);
  } finally {
    client.release();
  }
  // Ratings come by user id: each model user's run of them, found through its internal id.
  const modelIndex = new Map<number, number>();
  userIds.forEach((id, u) => id >= 0 && modelIndex.set(id, u));
  return {
    userIds,
    productIds,
    known: knownIds.length,
    rated: byModelUser(ratings, modelIndex, userIds.length),
    seen: byModelUser(events, modelIndex, userIds.length),
  };
}

/** (user id, product id) rows grouped by model user. */
function byModelUser(rows: { count: number; userIds: Int32Array; productIds: Int32Array }, modelIndex: Map<number, number>, users: number): RatedProducts {
  const counts = new Int32Array(users + 1);
  for (let k = 0; k < rows.count; k++) {
    const u = modelIndex.get(rows.userIds[k]);
    if (u !== undefined) counts[u + 1]++;
  }
  const start = new Int32Array(users + 1);
  for (let u = 0; u < users; u++) start[u + 1] = start[u] + counts[u + 1];
  const products = new Int32Array(start[users]);
  const fill = start.slice(0, users);
  for (let k = 0; k < rows.count; k++) {
    const u = modelIndex.get(rows.userIds[k]);
    if (u !== undefined) products[fill[u]++] = rows.productIds[k];
  }
  return { start, products };
}
