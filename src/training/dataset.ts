// Reads what a run learns from, and what its matrix must cover, out of the
// store. The model indexes users and products densely (0..n-1); the id maps
// saved with the artifacts turn indices back into the shop's ids.
import type pg from 'pg';
import type { RatingData } from '../model/data.js';

export interface Vocabulary {
  /** Shop ids of the model's users, by model index. */
  users: string[];
  /** Shop ids of the model's products, by model index. */
  products: string[];
}

export interface TrainingSet {
  vocabulary: Vocabulary;
  data: RatingData;
  counts: { users: number; products: number; ratings: number; ratedUsers: number; ratedProducts: number };
}

/**
 * All ratings, in one consistent snapshot. The model's vocabulary is the users
 * and products that have at least one rating: the others have nothing to learn
 * from and are served by the baseline or the popular ranking.
 */
export async function loadTrainingSet(pool: pg.Pool): Promise<TrainingSet> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const ratings = await client.query<[string, string, number]>({
      text: `SELECT u.external_id, p.external_id, r.value
             FROM ratings r JOIN users u ON u.id = r.user_id JOIN products p ON p.id = r.product_id
             ORDER BY r.user_id, r.product_id`,
      rowMode: 'array',
    });
    const totals = await client.query<{ users: number; products: number }>(
      'SELECT (SELECT count(*) FROM users)::int AS users, (SELECT count(*) FROM products)::int AS products',
    );
    await client.query('COMMIT');
    const userIndex = new Map<string, number>();
    const productIndex = new Map<string, number>();
    const n = ratings.rows.length;
    const data: RatingData = {
      userIdx: new Int32Array(n),
      itemIdx: new Int32Array(n),
      ratings: new Float32Array(n),
      numUsers: 0,
      numItems: 0,
    };
    ratings.rows.forEach(([user, product, value], k) => {
      let u = userIndex.get(user);
      if (u === undefined) userIndex.set(user, (u = userIndex.size));
      let i = productIndex.get(product);
      if (i === undefined) productIndex.set(product, (i = productIndex.size));
      data.userIdx[k] = u;
      data.itemIdx[k] = i;
      data.ratings[k] = value;
    });
    data.numUsers = userIndex.size;
    data.numItems = productIndex.size;
    return {
      vocabulary: { users: [...userIndex.keys()], products: [...productIndex.keys()] },
      data,
      counts: { ...totals.rows[0], ratings: n, ratedUsers: userIndex.size, ratedProducts: productIndex.size },
    };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

export interface MatrixTargets {
  /** For each model user index: its internal id now, or -1 when the user was deleted since. */
  userIds: Int32Array;
  /** Internal ids of every product now; the first `known` are the model's products, by model index. */
  productIds: Int32Array;
  /** How many of productIds the model knows (the rest are scored by the baseline). */
  known: number;
  /** For each model user index, the internal ids of the products the user has rated now. */
  rated: Set<number>[];
}

/**
 * Maps a model's vocabulary onto the store as it is now, for scoring: products
 * added since training are appended (the baseline scores them), products and
 * users deleted since are left out, and current ratings are excluded.
 */
export async function loadMatrixTargets(pool: pg.Pool, vocabulary: Vocabulary): Promise<MatrixTargets> {
  const users = await pool.query<{ id: number; external_id: string }>(
    'SELECT id, external_id FROM users WHERE external_id = ANY($1::text[])',
    [vocabulary.users],
  );
  const products = await pool.query<{ id: number; external_id: string }>('SELECT id, external_id FROM products ORDER BY id');
  const userId = new Map(users.rows.map((r) => [r.external_id, r.id]));
  const productId = new Map(products.rows.map((r) => [r.external_id, r.id]));

  const userIds = Int32Array.from(vocabulary.users, (ext) => userId.get(ext) ?? -1);
  const knownIds = vocabulary.products.map((ext) => productId.get(ext) ?? -1);
  const knownSet = new Set(knownIds);
  const extra = products.rows.filter((r) => !knownSet.has(r.id)).map((r) => r.id);
  // Deleted products keep their slot (id -1) so indices stay aligned; they are skipped when writing.
  const productIds = Int32Array.from([...knownIds, ...extra]);

  const byUser = new Map<number, Set<number>>();
  const ratings = await pool.query<[number, number]>({ text: 'SELECT user_id, product_id FROM ratings', rowMode: 'array' });
  for (const [u, p] of ratings.rows) {
    let set = byUser.get(u);
    if (!set) byUser.set(u, (set = new Set()));
    set.add(p);
  }
  return {
    userIds,
    productIds,
    known: knownIds.length,
    rated: Array.from(userIds, (id) => byUser.get(id) ?? new Set<number>()),
  };
}
