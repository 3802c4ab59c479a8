// The shop's catalog and customers as files, for `import products` and `import users`: CSV with a header
// (columns found by name; any other column becomes an attribute) or JSON lines (one object a line, .jsonl or
// .ndjson). Streamed; a bad row is reported with its line, as the other imports do.
import path from 'node:path';
import { namedColumns, readLines, recordsAfterHeader, requireFile, type OpenedFile } from './files.js';
import { ImportError, type RowProblems } from './problems.js';
import type { Dataset, ProductRow, RowSource, UserRow } from './types.js';

const PRODUCT_COLUMNS = {
  id: ['id', 'product_id', 'productid', 'item_id', 'sku'],
  name: ['name', 'title'],
  category: ['category'],
  price: ['price'],
  available: ['available', 'in_stock'],
  repurchasable: ['repurchasable'],
  attributes: ['attributes'],
} as const;

const USER_COLUMNS = {
  id: ['id', 'user_id', 'userid', 'customer_id'],
  name: ['name'],
  attributes: ['attributes'],
} as const;

type Fields = Record<string, unknown>;
type Kind = 'products' | 'users';

const isJsonLines = (file: string) => ['.jsonl', '.ndjson'].includes(path.extname(file).toLowerCase());

export function readProductsFile(file: string, options: { problems: RowProblems }): Dataset {
  return { products: catalogSource(file, 'products', options.problems, productRow) };
}

export function readUsersFile(file: string, options: { problems: RowProblems }): Dataset {
  return { users: catalogSource(file, 'users', options.problems, userRow) };
}

/** The rows of `file` as `toRow` makes them, a row it refuses (a string: why) reported with its line. */
function catalogSource<T>(file: string, kind: Kind, problems: RowProblems, toRow: (fields: Fields, line: number) => T | string): RowSource<T> {
  const { opened, rows } = catalogRows(file, kind, problems);
  async function* made(): AsyncGenerator<T> {
    for await (const { fields, line } of rows) {
      const row = toRow(fields, line);
      if (typeof row === 'string') problems.report({ table: kind, file: opened.name, line, message: row });
      else yield row;
    }
  }
  return { name: opened.name, rows: made(), totalBytes: opened.totalBytes, bytesRead: () => opened.bytesRead() };
}

/** Each row of the file as named fields (CSV: by its header; JSON lines: the object), with its line. */
function catalogRows(file: string, kind: Kind, problems: RowProblems): { opened: OpenedFile; rows: AsyncGenerator<{ fields: Fields; line: number }> } {
  const opened = requireFile(file, kind === 'products' ? 'Products file' : 'Users file');
  const bad = (line: number, message: string) => problems.report({ table: kind, file: opened.name, line, message });
  return { opened, rows: isJsonLines(file) ? jsonLines(opened, bad) : csvRows(opened, kind, bad) };
}

async function* jsonLines(opened: OpenedFile, bad: (line: number, message: string) => void): AsyncGenerator<{ fields: Fields; line: number }> {
  for await (const { text, line } of readLines(opened)) {
    if (text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      bad(line, 'not a JSON object');
      continue;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) bad(line, 'not a JSON object');
    else yield { fields: value as Fields, line };
  }
}

async function* csvRows(opened: OpenedFile, kind: Kind, bad: (line: number, message: string) => void): AsyncGenerator<{ fields: Fields; line: number }> {
  const names = kind === 'products' ? PRODUCT_COLUMNS : USER_COLUMNS;
  let header: string[] = [];
  const columnsOf = (fields: string[]) => {
    header = fields;
    const found = namedColumns(fields, names as Record<string, readonly string[]>, ['id', ...(kind === 'products' ? ['name'] : [])]);
    if (!found)
      throw new ImportError(`${opened.name} needs a header naming its columns: id, name${kind === 'products' ? ', category, price, available, …' : ', …'}`);
    return found;
  };
  for await (const { fields, line, columns } of recordsAfterHeader(opened, bad, columnsOf)) {
    const named: Fields = {};
    const attributes: Record<string, string> = {};
    const known = new Map(Object.entries(columns!).flatMap(([column, index]) => (index === undefined ? [] : [[index, column] as const])));
    fields.forEach((value, index) => {
      const column = known.get(index);
      if (column) named[column] = value === '' ? undefined : value;
      else if (value !== '') attributes[header[index].trim()] = value;
    });
    if (typeof named.attributes === 'string') {
      try {
        named.attributes = { ...JSON.parse(named.attributes), ...attributes };
      } catch {
        bad(line, 'attributes must be a JSON object');
        continue;
      }
    } else if (Object.keys(attributes).length) named.attributes = attributes;
    yield { fields: named, line };
  }
}

function productRow(fields: Fields, line: number): ProductRow | string {
  const price = numberOrAbsent(fields.price, 'price');
  if (typeof price === 'string') return price;
  const available = booleanOrAbsent(fields.available, 'available');
  if (typeof available === 'string') return available;
  const repurchasable = booleanOrAbsent(fields.repurchasable, 'repurchasable');
  if (typeof repurchasable === 'string') return repurchasable;
  const attributes = objectOrAbsent(fields.attributes);
  if (typeof attributes === 'string') return attributes;
  return {
    externalId: idText(fields.id),
    name: fields.name === undefined || fields.name === null ? '' : String(fields.name),
    category: fields.category === undefined || fields.category === null ? null : String(fields.category),
    price,
    available,
    repurchasable,
    attributes,
    line,
  };
}

function userRow(fields: Fields, line: number): UserRow | string {
  const attributes = objectOrAbsent(fields.attributes);
  if (typeof attributes === 'string') return attributes;
  return { externalId: idText(fields.id), name: fields.name === undefined || fields.name === null ? null : String(fields.name), attributes, line };
}

const idText = (value: unknown) => (typeof value === 'number' ? String(value) : typeof value === 'string' ? value : '');

function numberOrAbsent(value: unknown, what: string): number | null | string {
  if (value === undefined || value === null) return null;
  const n = typeof value === 'number' ? value : Number(value);
  return typeof value !== 'boolean' && String(value).trim() !== '' && Number.isFinite(n) && n >= 0
    ? n
    : `${what} must be a number ≥ 0, got ${JSON.stringify(value)}`;
}

function booleanOrAbsent(value: unknown, what: string): boolean | null | string {
  if (value === undefined || value === null) return null;
  if (typeof value === 'boolean') return value;
  const text = String(value).trim().toLowerCase();
  if (['true', '1', 'yes'].includes(text)) return true;
  if (['false', '0', 'no'].includes(text)) return false;
  return `${what} must be true or false, got ${JSON.stringify(value)}`;
}

function objectOrAbsent(value: unknown): Record<string, unknown> | undefined | string {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : 'attributes must be a JSON object';
}
