// Events as CSV: user_id,product_id,type[,timestamp[,value]], header optional (then columns are found by
// name, in any order, and an event_id column gives each event the client id recordEvents takes). Users and products named only here are created, as by the ratings CSV.
import { namedColumns, numberProblem, recordsAfterHeader, requireFile } from './files.js';
import { parseTimestamp } from './csv.js';
import type { RowProblems } from './problems.js';
import type { Dataset, EventRow } from './types.js';

const COLUMN_NAMES = {
  user: ['user_id', 'userid', 'user'],
  product: ['product_id', 'productid', 'product', 'item_id', 'itemid', 'item'],
  type: ['type', 'event', 'event_type', 'kind'],
  timestamp: ['timestamp', 'time', 'ts', 'at', 'occurred_at', 'created_at', 'date'],
  value: ['value', 'amount', 'quantity'],
  eventId: ['event_id', 'eventid'],
} as const;
type Columns = Record<keyof typeof COLUMN_NAMES, number | undefined>;

const headerColumns = (fields: string[]): Columns | undefined => namedColumns(fields, COLUMN_NAMES, ['user', 'product', 'type']);

export function readEventsCsvFile(file: string, options: { problems: RowProblems }): Dataset {
  const opened = requireFile(file, 'Events file');
  const bad = (line: number, message: string) => options.problems.report({ table: 'events', file: opened.name, line, message });

  async function* rows(): AsyncGenerator<EventRow> {
    for await (const { fields, line, columns: named } of recordsAfterHeader(opened, bad, headerColumns)) {
      if (!named && (fields.length < 3 || fields.length > 5)) {
        bad(line, `expected 3 to 5 fields (user_id,product_id,type[,timestamp[,value]]), got ${fields.length}`);
        continue;
      }
      const columns: Columns = named ?? {
        user: 0,
        product: 1,
        type: 2,
        timestamp: fields.length > 3 ? 3 : undefined,
        value: fields.length > 4 ? 4 : undefined,
        eventId: undefined,
      };
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
        eventId: columns.eventId === undefined || fields[columns.eventId] === '' ? null : fields[columns.eventId],
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
