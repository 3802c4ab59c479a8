// The shapes an import is made of. Parsers (movielens.ts, csv.ts, synthetic.ts)
// produce a Dataset; load.ts writes it to the database in one transaction.

export type TableName = 'users' | 'products' | 'ratings' | 'events';

export interface UserRow {
  externalId: string;
  /** Absent or null keeps the stored name. */
  name?: string | null;
  /** Merged key by key into the stored attributes. */
  attributes?: Record<string, unknown>;
  /** Line in the source file, for error messages. */
  line?: number;
}

export interface ProductRow {
  externalId: string;
  name: string;
  /** Absent or null keeps the stored category. */
  category?: string | null;
  /** Absent or null keeps the stored price. */
  price?: number | null;
  /** Merged key by key into the stored attributes. */
  attributes?: Record<string, unknown>;
  /** Absent or null: true for a new product; a source that gives them for any row sets them for every row (absent: the default). */
  available?: boolean | null;
  repurchasable?: boolean | null;
  line?: number;
}

export interface RatingRow {
  /** The user's external id. */
  userId: string;
  /** The product's external id. */
  productId: string;
  value: number;
  /** When the rating was given; the import time when absent. */
  timestamp?: Date;
  line?: number;
}

export interface EventRow {
  userId: string;
  productId: string;
  /** view, cart, purchase or wishlist (src/events/event-log.ts). */
  type: string;
  /** When it happened; the import time when absent. */
  timestamp?: Date;
  /** An amount that came with it (quantity, price paid). */
  value?: number | null;
  /** The client's own id for it (recordEvents' eventId): imported again, it counts once. */
  eventId?: string | null;
  line?: number;
}

export type Rows<T> = Iterable<T> | AsyncIterable<T>;

/** Rows plus what a progress display wants to know about where they come from. */
export interface RowSource<T> {
  /** File name (or a label) used in progress and error messages. */
  name: string;
  rows: Rows<T>;
  /** Size of the file being read, when the rows come from one. */
  totalBytes?: number;
  /** Bytes of the file consumed so far. */
  bytesRead?: () => number;
  /** Number of rows, when known up front (arrays). */
  totalRows?: number;
}

export interface Dataset {
  users?: RowSource<UserRow> | Rows<UserRow>;
  products?: RowSource<ProductRow> | Rows<ProductRow>;
  ratings?: RowSource<RatingRow> | Rows<RatingRow>;
  events?: RowSource<EventRow> | Rows<EventRow>;
  /** The rating scale the source's format implies (e.g. MovieLens "latest": 0.5 to 5 in halves): a database without one takes it. */
  ratingFormat?: { scale: import('../store/validation.js').RatingScale; name: string };
  /**
   * Create users that ratings or events mention but that do not exist, instead of
   * skipping those ratings. Defaults to true when the dataset has no users.
   */
  createMissingUsers?: boolean;
  /**
   * Create products that ratings mention but that do not exist, named
   * "Product <external id>". Defaults to true when the dataset has no products.
   */
  createMissingProducts?: boolean;
}

export interface TableCounts {
  /** Rows read from the source, good and bad. */
  read: number;
  /** Rows skipped because they were bad (see problems). */
  skipped: number;
  inserted: number;
  /** Existing rows whose fields changed. */
  updated: number;
  /** Existing rows the import left as they were because nothing changed. */
  unchanged: number;
}

export interface ImportResult {
  users: TableCounts & { createdFromRatings: number };
  products: TableCounts & { createdFromRatings: number };
  /** duplicates: repeats of a (user, product) pair within this import; the last one wins. */
  ratings: TableCounts & { duplicates: number };
  /** Events are only ever added: `duplicates` were recorded before (or twice in the file: same user, product, type and time). */
  events: { read: number; skipped: number; inserted: number; duplicates: number };
  problems: { count: number; sample: RowProblem[] };
  seconds: number;
}

export interface RowProblem {
  table: TableName;
  file: string;
  line: number;
  message: string;
}

export type ImportProgress =
  | {
      phase: 'read';
      table: TableName;
      source: string;
      rows: number;
      bytesRead?: number;
      totalBytes?: number;
      totalRows?: number;
      finished: boolean;
    }
  | { phase: 'apply'; step: string; stepIndex: number; steps: number };
