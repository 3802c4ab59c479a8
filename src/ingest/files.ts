// Streaming readers shared by the parsers: files are read as streams with line
// numbers, never loaded whole.
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { parse as parseCsv, type CsvError } from 'csv-parse';
import { ImportError } from './problems.js';

export interface NumberedLine {
  text: string;
  /** 1-based line number in the file. */
  line: number;
}

/** A file opened for streaming, with how far reading has got (for progress). */
export interface OpenedFile {
  path: string;
  name: string;
  totalBytes: number;
  bytesRead(): number;
}

/** Fails with a clear message when the file is missing or not a file. */
export function requireFile(file: string, what: string): OpenedFile {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    throw new ImportError(`${what} not found: ${file}`);
  }
  if (!stat.isFile()) throw new ImportError(`${what} is not a file: ${file}`);
  return { path: file, name: path.basename(file), totalBytes: stat.size, bytesRead: () => 0 };
}

/** Lines of a text file (without line endings), numbered; `file.bytesRead` follows along. */
export async function* readLines(file: OpenedFile, encoding: BufferEncoding = 'utf8'): AsyncGenerator<NumberedLine> {
  const stream = fs.createReadStream(file.path, { encoding, highWaterMark: 256 * 1024 });
  file.bytesRead = () => stream.bytesRead;
  const lines = readline.createInterface({ input: stream, crlfDelay: Infinity });
  let line = 0;
  try {
    for await (const text of lines) {
      line++;
      yield { text, line };
    }
  } finally {
    lines.close();
    stream.destroy();
  }
}

export interface CsvRecord {
  fields: string[];
  line: number;
}

/**
 * Records of a CSV file (RFC 4180: quoted fields may hold commas, quotes and
 * newlines), numbered by the line they end on. A record the parser cannot make
 * sense of (e.g. a broken quote) is passed to `onBadRecord` and skipped.
 */
export async function* readCsv(file: OpenedFile, onBadRecord: (line: number, message: string) => void): AsyncGenerator<CsvRecord> {
  const skipped: { line: number; message: string }[] = [];
  const stream = fs.createReadStream(file.path, { highWaterMark: 256 * 1024 });
  file.bytesRead = () => stream.bytesRead;
  const parser = stream.pipe(
    parseCsv({
      bom: true,
      info: true,
      trim: true,
      skip_empty_lines: true,
      // Field counts are checked by the callers, with a message naming the expected columns.
      relax_column_count: true,
      skip_records_with_error: true,
      on_skip: (error: CsvError | undefined) => {
        skipped.push({ line: Number(error?.lines ?? 0), message: error?.message ?? 'unreadable CSV record' });
        return undefined;
      },
    }),
  );
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      // The parser notices a broken record before it hands out the records read
      // ahead of it: report each skip in line order among the records.
      while (skipped.length && skipped[0].line < info.lines) {
        const bad = skipped.shift()!;
        onBadRecord(bad.line, bad.message);
      }
      yield { fields: record, line: info.lines };
    }
    for (const bad of skipped) onBadRecord(bad.line, bad.message);
  } finally {
    stream.destroy();
    parser.destroy();
  }
}

/** Why `text` is not a whole number of seconds since 1970 ("881250949"), or null. */
export function unixSecondsProblem(text: string): string | null {
  return /^\d{1,12}$/.test(text) ? null : `timestamp must be whole seconds since 1970, got "${text}"`;
}

export function numberProblem(text: string, what: string): string | null {
  return text.trim() !== '' && Number.isFinite(Number(text)) ? null : `${what} must be a number, got "${text}"`;
}

const normalizeName = (name: string) => name.trim().toLowerCase().replace(/[\s-]/g, '_');

/**
 * The columns a CSV header names, each found by any of its accepted names (case, spaces and dashes
 * ignored); undefined when the first record names none of them (it is data). A header without a
 * `required` column is refused, listing the names accepted for it.
 */
export function namedColumns<K extends string>(
  fields: string[],
  names: Record<K, readonly string[]>,
  required: readonly NoInfer<K>[],
): Record<K, number | undefined> | undefined {
  const normalized = fields.map(normalizeName);
  const columns = Object.fromEntries(
    (Object.keys(names) as K[]).map((column) => {
      const index = normalized.findIndex((name) => names[column].includes(name));
      return [column, index >= 0 ? index : undefined];
    }),
  ) as Record<K, number | undefined>;
  if (Object.values(columns).every((index) => index === undefined)) return undefined;
  const missing = required.filter((column) => columns[column] === undefined);
  if (missing.length) {
    throw new ImportError(
      `The CSV header "${fields.join(',')}" has no ${missing.join(', ')} column (accepted names: ${missing.map((c) => names[c].join('/')).join('; ')})`,
    );
  }
  return columns;
}

/**
 * Data records of a CSV whose first record may be a header (`header` gives its columns, or undefined when
 * it is data), with the header's columns; a record whose width differs from the header's is reported.
 */
export async function* recordsAfterHeader<C>(
  file: OpenedFile,
  bad: (line: number, message: string) => void,
  header: (fields: string[]) => C | undefined,
): AsyncGenerator<CsvRecord & { columns: C | undefined }> {
  let found: { columns: C; width: number } | undefined;
  let first = true;
  for await (const record of readCsv(file, bad)) {
    if (first) {
      first = false;
      const columns = header(record.fields);
      if (columns) {
        found = { columns, width: record.fields.length };
        continue;
      }
    }
    if (found && record.fields.length !== found.width) {
      bad(record.line, `expected ${found.width} fields as in the header, got ${record.fields.length}`);
      continue;
    }
    yield { ...record, columns: found?.columns };
  }
}
