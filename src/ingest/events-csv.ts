// Events as CSV: user_id,product_id,type[,timestamp[,value]], header optional (then columns are found by
// name, in any order). Users and products named only here are created, as by the ratings CSV.
import { numberProblem, readCsv, requireFile } from './files.js';
import { parseTimestamp } from './csv.js';
import { ImportError, type RowProblems } from './problems.js';
import type { Dataset, EventRow } from './types.js';

const COLUMN_NAMES = {
  user: ['user_id', 'userid', 'user'],
  product: ['product_id', 'productid', 'product', 'item_id', 'itemid', 'item'],
  type: ['type', 'event', 'event_type', 'kind'],
  timestamp: ['timestamp', 'time', 'ts', 'at', 'occurred_at', 'created_at', 'date'],
  value: ['value', 'amount', 'quantity'],
} as const;
type Column = keyof typeof COLUMN_NAMES;
type Columns = Record<Column, number | undefined>;

const normalize = (name: string) => name.trim().toLowerCase().replace(/[\s-]/g, '_');

function headerColumns(fields: string[]): Columns | undefined {
  const names = fields.map(normalize);
  const columns = Object.fromEntries(
    (Object.keys(COLUMN_NAMES) as Column[]).map((column) => {
      const index = names.findIndex((name) => (COLUMN_NAMES[column] as readonly string[]).includes(name));
      return [column, index >= 0 ? index : undefined];
    }),
  ) as Columns;
  if (Object.values(columns).every((index) => index === undefined)) return undefined;
  const missing = (['user', 'product', 'type'] as const).filter((column) => columns[column] === undefined);
  if (missing.length) {
    throw new ImportError(
      `The CSV header "${fields.join(',')}" has no ${missing.join(', ')} column (accepted names: ${missing.map((c) => COLUMN_NAMES[c].join('/')).join('; ')})`,
    );
  }
  return columns;
}

export function readEventsCsvFile(file: string, options: { problems: RowProblems }): Dataset {
  const opened = requireFile(file, 'Events file');
  const bad = (line: number, message: string) => options.problems.report({ table: 'events', file: opened.name, line, message });

  async function* rows(): AsyncGenerator<EventRow> {
    let header: { columns: Columns; width: number } | undefined;
    let first = true;
    for await (const { fields, line } of readCsv(opened, bad)) {
      if (first) {
        first = false;
        const columns = headerColumns(fields);
        if (columns) {
          header = { columns, width: fields.length };
          continue;
        }
      }
      if (header && fields.length !== header.width) {
        bad(line, `expected ${header.width} fields as in the header, got ${fields.length}`);
        continue;
      }
      if (!header && (fields.length < 3 || fields.length > 5)) {
        bad(line, `expected 3 to 5 fields (user_id,product_id,type[,timestamp[,value]]), got ${fields.length}`);
        continue;
      }
      const columns: Columns = header?.columns ?? { user: 0, product: 1, type: 2, timestamp: fields.length > 3 ? 3 : undefined, value: fields.length > 4 ? 4 : undefined };
      const timestamp = columns.timestamp === undefined ? undefined : parseTimestamp(fields[columns.timestamp]);
      if (typeof timestamp === 'string') {
        bad(line, timestamp);
        continue;
      }
      const valueText = columns.value === undefined ? '' : fields[columns.value];
      const valueProblem = valueText === '' ? null : numberProblem(valueText, 'value');
      if (valueProblem) {
        bad(line, valueProblem);
        continue;
      }
      yield {
        userId: fields[columns.user!],
        productId: fields[columns.product!],
        type: fields[columns.type!],
        timestamp,
        value: valueText === '' ? null : Number(valueText),
        line,
      };
    }
  }

  return {
    events: { name: opened.name, rows: rows(), totalBytes: opened.totalBytes, bytesRead: () => opened.bytesRead() },
    createMissingUsers: true,
    createMissingProducts: true,
  };
}
