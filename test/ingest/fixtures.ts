// Small hand-made data files in the formats the importers read, written to a
// temporary folder (the real MovieLens files never enter the repository), and a
// fingerprint of the database to prove that a failed import changed nothing.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type pg from 'pg';

export function tempDir(prefix = 'ingest-'): { dir: string; remove(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

export const GENRES = [
  'unknown',
  'Action',
  'Adventure',
  'Animation',
  "Children's",
  'Comedy',
  'Crime',
  'Documentary',
  'Drama',
  'Fantasy',
  'Film-Noir',
  'Horror',
  'Musical',
  'Mystery',
  'Romance',
  'Sci-Fi',
  'Thriller',
  'War',
  'Western',
];

function flags(...genres: string[]): string {
  return GENRES.map((g) => (genres.includes(g) ? '1' : '0')).join('|');
}

/** u.item lines: 3 good movies (one with a latin1 title). */
export const ML100K_ITEMS = [
  `1|Toy Story (1995)|01-Jan-1995||http://example.org/toy|${flags('Animation', "Children's", 'Comedy')}`,
  `2|GoldenEye (1995)|01-Jan-1995||http://example.org/ge|${flags('Action', 'Adventure', 'Thriller')}`,
  `3|Café au lait (1994)|||http://example.org/cafe|${flags('Comedy')}`,
];

export const ML100K_USERS = ['1|24|M|technician|85711', '2|53|F|other|94043', '3|23|M|writer|T8H1N'];

/** u.data lines, tab separated: user item rating unixtime. */
export const ML100K_RATINGS = ['1\t1\t5\t874965758', '1\t2\t3\t876893171', '2\t1\t4\t878542960', '2\t3\t2\t876893119', '3\t2\t1\t889751712'];

export function writeMovieLens100k(dir: string, options: { items?: string[]; users?: string[] | null; ratings?: string[]; ratingsFile?: string } = {}): void {
  fs.writeFileSync(path.join(dir, 'u.genre'), GENRES.map((g, i) => `${g}|${i}`).join('\n') + '\n\n');
  fs.writeFileSync(path.join(dir, 'u.item'), Buffer.from((options.items ?? ML100K_ITEMS).join('\n') + '\n', 'latin1'));
  if (options.users !== null) fs.writeFileSync(path.join(dir, 'u.user'), (options.users ?? ML100K_USERS).join('\n') + '\n');
  fs.writeFileSync(path.join(dir, options.ratingsFile ?? 'u.data'), (options.ratings ?? ML100K_RATINGS).join('\n') + '\n');
}

export function writeMovieLensLatest(dir: string, options: { movies?: string[]; ratings?: string[] } = {}): void {
  const movies = options.movies ?? [
    '1,Toy Story (1995),Adventure|Animation|Children|Comedy|Fantasy',
    '2,"American President, The (1995)",Comedy|Drama|Romance',
    '3,"Crème brûlée, ""the movie"" (2001)",(no genres listed)',
  ];
  const ratings = options.ratings ?? ['1,1,4.0,964982703', '1,2,3.5,964981247', '7,3,5.0,964982224', '7,1,2.5,964983815'];
  fs.writeFileSync(path.join(dir, 'movies.csv'), ['movieId,title,genres', ...movies].join('\n') + '\n');
  fs.writeFileSync(path.join(dir, 'ratings.csv'), ['userId,movieId,rating,timestamp', ...ratings].join('\n') + '\n');
}

/** Everything an import may touch, reduced to a comparable value. */
export async function fingerprint(pool: pg.Pool): Promise<Record<string, unknown>> {
  const { rows } = await pool.query(`
    SELECT (SELECT count(*) FROM users) AS users,
           (SELECT count(*) FROM products) AS products,
           (SELECT count(*) FROM ratings) AS ratings,
           (SELECT md5(coalesce(string_agg(u.external_id || ':' || coalesce(u.name, '') || ':' || u.attributes::text
                                             || ':' || u.updated_at::text, ',' ORDER BY u.id), '')) FROM users u) AS users_hash,
           (SELECT md5(coalesce(string_agg(p.external_id || ':' || p.name || ':' || coalesce(p.category, '') || ':' ||
                                             p.attributes::text || ':' || p.updated_at::text, ',' ORDER BY p.id), '')) FROM products p) AS products_hash,
           (SELECT md5(coalesce(string_agg(r.user_id || ':' || r.product_id || ':' || r.value || ':' || r.updated_at::text, ','
                                             ORDER BY r.user_id, r.product_id), '')) FROM ratings r) AS ratings_hash`);
  return rows[0];
}

/** Ratings as "user:product=value" by external ids, sorted. */
export async function ratingsByExternalId(pool: pg.Pool): Promise<string[]> {
  const { rows } = await pool.query<{ entry: string }>(`
    SELECT u.external_id || ':' || p.external_id || '=' || r.value AS entry
    FROM ratings r JOIN users u ON u.id = r.user_id JOIN products p ON p.id = r.product_id
    ORDER BY 1`);
  return rows.map((r) => r.entry);
}
