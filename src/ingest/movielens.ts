// MovieLens, in its two common layouts, detected from the files present:
//  - "100k" (ml-100k): u.item, u.user, u.genre, u.data (or u1.base...), '|' and tab
//    separated, titles in latin1;
//  - "latest" (ml-latest, ml-latest-small, ml-25m...): movies.csv and ratings.csv,
//    real CSV with quoted titles, genres joined by '|', half-star ratings.
// Rows are streamed; the Dataset they make is read once by importDataset.
import fs from 'node:fs';
import path from 'node:path';
import { numberProblem, readCsv, readLines, requireFile, unixSecondsProblem, type OpenedFile } from './files.js';
import { ImportError, type RowProblems } from './problems.js';
import type { Dataset, ProductRow, RatingRow, RowSource, TableName, UserRow } from './types.js';

export type MovieLensLayout = '100k' | 'latest';

export interface MovieLensOptions {
  /** Ratings file instead of the default (u.data / ratings.csv); relative to the folder or absolute. */
  ratingsFile?: string;
  /** Where bad rows are reported (shared with importDataset). */
  problems: RowProblems;
}

export function detectMovieLensLayout(dir: string): MovieLensLayout {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new ImportError(`MovieLens folder not found: ${dir}`);
  }
  const has = (name: string) => fs.existsSync(path.join(dir, name));
  if (has('u.item')) return '100k';
  if (has('movies.csv')) return 'latest';
  throw new ImportError(`No MovieLens files in ${dir}: expected u.item and u.data (the 100K layout) or movies.csv and ratings.csv (the "latest" layout)`);
}

/** The dataset in a MovieLens folder, ready for importDataset. */
export function readMovieLens(dir: string, options: MovieLensOptions): { layout: MovieLensLayout; dataset: Dataset } {
  const layout = detectMovieLensLayout(dir);
  const dataset = layout === '100k' ? read100k(dir, options) : readLatest(dir, options);
  return { layout, dataset };
}

function ratingsPath(dir: string, options: MovieLensOptions, fallback: string): string {
  return options.ratingsFile ? path.resolve(dir, options.ratingsFile) : path.join(dir, fallback);
}

function source<T>(file: OpenedFile, rows: AsyncIterable<T>): RowSource<T> {
  return { name: file.name, rows, totalBytes: file.totalBytes, bytesRead: () => file.bytesRead() };
}

function reporter(problems: RowProblems, table: TableName, file: OpenedFile) {
  return (line: number, message: string) => problems.report({ table, file: file.name, line, message });
}

// ---------------------------------------------------------------- 100K layout

/** The genres of ml-100k in flag order, for a copy of the data set without u.genre. */
const ML100K_GENRES = [
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

const MONTHS: Record<string, string> = {
  Jan: '01',
  Feb: '02',
  Mar: '03',
  Apr: '04',
  May: '05',
  Jun: '06',
  Jul: '07',
  Aug: '08',
  Sep: '09',
  Oct: '10',
  Nov: '11',
  Dec: '12',
};

/** "01-Jan-1995" → "1995-01-01"; anything else is kept as given. */
function isoDate(text: string): string {
  const match = /^(\d{2})-([A-Z][a-z]{2})-(\d{4})$/.exec(text);
  return match && MONTHS[match[2]] ? `${match[3]}-${MONTHS[match[2]]}-${match[1]}` : text;
}

function read100k(dir: string, options: MovieLensOptions): Dataset {
  const { problems } = options;
  const items = requireFile(path.join(dir, 'u.item'), 'MovieLens movie file u.item');
  const ratings = requireFile(ratingsPath(dir, options, 'u.data'), 'MovieLens ratings file');
  const usersPath = path.join(dir, 'u.user');
  const users = fs.existsSync(usersPath) ? requireFile(usersPath, 'MovieLens user file u.user') : undefined;
  const genresPath = path.join(dir, 'u.genre');
  const genres = fs.existsSync(genresPath) ? readGenres(genresPath) : ML100K_GENRES;

  return {
    users: users && source(users, readUsers100k(users, reporter(problems, 'users', users))),
    products: source(items, readItems100k(items, genres, reporter(problems, 'products', items))),
    ratings: source(ratings, readRatings100k(ratings, reporter(problems, 'ratings', ratings))),
    // Without u.user, users exist only through their ratings; with it, a rating
    // by an unknown user is a bad row.
    createMissingUsers: !users,
    createMissingProducts: false,
  };
}

/** u.genre: "name|index" lines, in flag order. */
function readGenres(file: string): string[] {
  const names: string[] = [];
  for (const [i, text] of fs.readFileSync(file, 'latin1').split(/\r?\n/).entries()) {
    if (!text.trim()) continue;
    const [name, index] = text.split('|');
    if (!name || Number(index) !== names.length) {
      throw new ImportError(`u.genre line ${i + 1}: expected "name|${names.length}", got "${text}"`);
    }
    names.push(name);
  }
  return names;
}

async function* readItems100k(file: OpenedFile, genres: string[], bad: (line: number, message: string) => void): AsyncGenerator<ProductRow> {
  const fieldCount = 5 + genres.length;
  // u.item holds latin1 titles ("Café au lait").
  for await (const { text, line } of readLines(file, 'latin1')) {
    if (!text.trim()) continue;
    const fields = text.split('|');
    if (fields.length !== fieldCount) {
      bad(line, `expected ${fieldCount} fields separated by "|" (id|title|release date|video date|URL|${genres.length} genre flags), got ${fields.length}`);
      continue;
    }
    const [id, title, releaseDate, , url] = fields;
    const flags = fields.slice(5);
    const wrongFlag = flags.findIndex((flag) => flag !== '0' && flag !== '1');
    if (wrongFlag >= 0) {
      bad(line, `genre flag ${wrongFlag + 1} (${genres[wrongFlag]}) must be 0 or 1, got "${flags[wrongFlag]}"`);
      continue;
    }
    const movieGenres = genres.filter((_, i) => flags[i] === '1');
    const attributes: Record<string, unknown> = { genres: movieGenres };
    if (releaseDate) attributes.releaseDate = isoDate(releaseDate);
    if (url) attributes.url = url;
    yield { externalId: id, name: title, category: movieGenres[0] ?? null, attributes, line };
  }
}

async function* readUsers100k(file: OpenedFile, bad: (line: number, message: string) => void): AsyncGenerator<UserRow> {
  for await (const { text, line } of readLines(file, 'latin1')) {
    if (!text.trim()) continue;
    const fields = text.split('|');
    if (fields.length !== 5) {
      bad(line, `expected 5 fields separated by "|" (id|age|gender|occupation|zip), got ${fields.length}`);
      continue;
    }
    const [id, age, gender, occupation, zip] = fields;
    if (!/^\d{1,3}$/.test(age)) {
      bad(line, `age must be a whole number, got "${age}"`);
      continue;
    }
    yield { externalId: id, attributes: { age: Number(age), gender, occupation, zip }, line };
  }
}

/** A rating from (user id, item id, rating, unix seconds), or undefined after reporting why not. */
function ratingRow(fields: string[], line: number, bad: (line: number, message: string) => void): RatingRow | undefined {
  const [userId, productId, rating, seconds] = fields;
  const problem = numberProblem(rating, 'rating') ?? unixSecondsProblem(seconds);
  if (problem) {
    bad(line, problem);
    return undefined;
  }
  return { userId, productId, value: Number(rating), timestamp: new Date(Number(seconds) * 1000), line };
}

async function* readRatings100k(file: OpenedFile, bad: (line: number, message: string) => void): AsyncGenerator<RatingRow> {
  for await (const { text, line } of readLines(file)) {
    if (!text.trim()) continue;
    const fields = text.split('\t');
    if (fields.length !== 4) {
      bad(line, `expected 4 tab-separated fields (user id, item id, rating, timestamp), got ${fields.length}`);
      continue;
    }
    const rating = ratingRow(fields, line, bad);
    if (rating) yield rating;
  }
}

// -------------------------------------------------------------- latest layout

function expectHeader(file: OpenedFile, fields: string[], expected: string[]): void {
  if (fields.join(',') !== expected.join(',')) {
    throw new ImportError(`${file.name}: expected the header "${expected.join(',')}", got "${fields.join(',')}"`);
  }
}

function readLatest(dir: string, options: MovieLensOptions): Dataset {
  const { problems } = options;
  const movies = requireFile(path.join(dir, 'movies.csv'), 'MovieLens movie file movies.csv');
  const ratings = requireFile(ratingsPath(dir, options, 'ratings.csv'), 'MovieLens ratings file');
  return {
    products: source(movies, readMoviesCsv(movies, reporter(problems, 'products', movies))),
    ratings: source(ratings, readRatingsCsv(ratings, reporter(problems, 'ratings', ratings))),
    // This layout has no user file: users are whoever rated.
    createMissingUsers: true,
    createMissingProducts: false,
    ratingFormat: { scale: { ratingMin: 0.5, ratingMax: 5, ratingStep: 0.5 }, name: 'MovieLens latest' },
  };
}

async function* readMoviesCsv(file: OpenedFile, bad: (line: number, message: string) => void): AsyncGenerator<ProductRow> {
  let header = true;
  for await (const { fields, line } of readCsv(file, bad)) {
    if (header) {
      expectHeader(file, fields, ['movieId', 'title', 'genres']);
      header = false;
      continue;
    }
    if (fields.length !== 3) {
      bad(line, `expected 3 fields (movieId,title,genres), got ${fields.length}`);
      continue;
    }
    const [id, title, genreList] = fields;
    const genres = genreList === '(no genres listed)' || genreList === '' ? [] : genreList.split('|');
    yield { externalId: id, name: title, category: genres[0] ?? null, attributes: { genres }, line };
  }
}

async function* readRatingsCsv(file: OpenedFile, bad: (line: number, message: string) => void): AsyncGenerator<RatingRow> {
  let header = true;
  for await (const { fields, line } of readCsv(file, bad)) {
    if (header) {
      expectHeader(file, fields, ['userId', 'movieId', 'rating', 'timestamp']);
      header = false;
      continue;
    }
    if (fields.length !== 4) {
      bad(line, `expected 4 fields (userId,movieId,rating,timestamp), got ${fields.length}`);
      continue;
    }
    const rating = ratingRow(fields, line, bad);
    if (rating) yield rating;
  }
}
