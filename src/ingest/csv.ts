// A generic ratings CSV: user_id,product_id,rating[,timestamp], header optional.
// With a header, columns are found by name (so their order is free and extra
// columns are ignored); without one, they are taken in that order.
// Users and products named only here are created (products as "Product <id>").
import { namedColumns, numberProblem, recordsAfterHeader, requireFile } from './files.js';
import type { RowProblems } from './problems.js';
import type { Dataset, RatingRow } from './types.js';

const COLUMN_NAMES = {
  user: ['user_id', 'userid', 'user'],
  product: ['product_id', 'productid', 'product', 'item_id', 'itemid', 'item', 'movieid', 'movie_id'],
  rating: ['rating', 'value', 'score'],
  timestamp: ['timestamp', 'time', 'ts', 'rated_at', 'created_at', 'date'],
} as const;

type ColumnIndexes = { user: number; product: number; rating: number; timestamp: number | undefined };

/** The columns a header names, or undefined when the first record is data. */
export function headerColumns(fields: string[]): ColumnIndexes | undefined {
  return namedColumns(fields, COLUMN_NAMES, ['user', 'product', 'rating']) as ColumnIndexes | undefined;
}

/**
 * Timestamps are whole or fractional seconds since 1970 ("1700000000") or
 * ISO 8601 dates ("2024-03-01T12:00:00Z"); empty means "now".
 */
export function parseTimestamp(text: string): Date | undefined | string {
  if (text === '') return undefined;
  const date = /^\d+(\.\d+)?$/.test(text) ? new Date(Number(text) * 1000) : new Date(text);
  return Number.isFinite(date.getTime()) ? date : `timestamp must be seconds since 1970 or an ISO 8601 date, got "${text}"`;
}

export interface RatingsCsvOptions {
  problems: RowProblems;
}

export function readRatingsCsvFile(file: string, options: RatingsCsvOptions): Dataset {
  const opened = requireFile(file, 'Ratings file');
  const bad = (line: number, message: string) => options.problems.report({ table: 'ratings', file: opened.name, line, message });

  async function* rows(): AsyncGenerator<RatingRow> {
    for await (const { fields, line, columns: named } of recordsAfterHeader(opened, bad, headerColumns)) {
      if (!named && fields.length !== 3 && fields.length !== 4) {
        bad(line, `expected 3 or 4 fields (user_id,product_id,rating[,timestamp]), got ${fields.length}`);
        continue;
      }
      const columns = named ?? { user: 0, product: 1, rating: 2, timestamp: fields.length === 4 ? 3 : undefined };
      const rating = fields[columns.rating];
      const ratingProblem = numberProblem(rating, 'rating');
      if (ratingProblem) {
        bad(line, ratingProblem);
        continue;
      }
      const timestamp = columns.timestamp === undefined ? undefined : parseTimestamp(fields[columns.timestamp]);
      if (typeof timestamp === 'string') {
        bad(line, timestamp);
        continue;
      }
      yield { userId: fields[columns.user], productId: fields[columns.product], value: Number(rating), timestamp, line };
    }
  }

  return {
    ratings: { name: opened.name, rows: rows(), totalBytes: opened.totalBytes, bytesRead: () => opened.bytesRead() },
    createMissingUsers: true,
    createMissingProducts: true,
  };
}
