/**
 * Rows of a few numeric columns as typed arrays, read with one binary COPY: no object per row, so 10
 * million ratings take 120 MB rather than gigabytes of row arrays and strings. Reads on the client given
 * (so a caller's transaction and snapshot apply).
 */
import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';

/** The PostgreSQL types a column may have: int4, real (float4) or float8. */
export type ColumnKind = 'int4' | 'float4' | 'float8';
type ColumnArray<K extends ColumnKind> = K extends 'int4' ? Int32Array : K extends 'float4' ? Float32Array : Float64Array;
export type CopiedColumns<K extends readonly ColumnKind[]> = { columns: { [I in keyof K]: ColumnArray<K[I]> }; count: number };

const WIDTH: Record<ColumnKind, number> = { int4: 4, float4: 4, float8: 8 };
const make = (kind: ColumnKind, n: number) => (kind === 'int4' ? new Int32Array(n) : kind === 'float4' ? new Float32Array(n) : new Float64Array(n));

// Binary COPY: an 11-byte signature, flags (4), header extension length (4), then per tuple a
// field count (int16) and per field a length (int32) and the value; a field count of -1 ends it.
const HEADER_BYTES = 19;

/** Runs `sql` (a `COPY (…) TO STDOUT (FORMAT binary)` of non-null columns of these kinds) into typed arrays. */
export async function copyColumns<K extends readonly ColumnKind[]>(
  client: pg.PoolClient | pg.Client,
  sql: string,
  kinds: K,
  expected = 1 << 16,
): Promise<CopiedColumns<K>> {
  let capacity = Math.max(1024, expected);
  let columns = kinds.map((kind) => make(kind, capacity));
  let count = 0;
  const tupleBytes = 2 + kinds.reduce((sum, kind) => sum + 4 + WIDTH[kind], 0);
  const grow = () => {
    capacity *= 2;
    columns = columns.map((column, c) => {
      const next = make(kinds[c], capacity);
      next.set(column as never);
      return next;
    });
  };
  const stream = client.query(copyTo(sql));
  let pending: Buffer = Buffer.alloc(0);
  let headerRead = false;
  let ended = false;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    const buffer = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    let at = 0;
    if (!headerRead) {
      if (buffer.length < HEADER_BYTES) {
        pending = buffer;
        continue;
      }
      at = HEADER_BYTES + buffer.readInt32BE(15); // skip the header extension too
      headerRead = true;
    }
    while (buffer.length - at >= 2) {
      const fields = buffer.readInt16BE(at);
      if (fields === -1) {
        ended = true;
        at += 2;
        break;
      }
      if (buffer.length - at < tupleBytes) break;
      if (fields !== kinds.length) throw new Error(`COPY: expected ${kinds.length} fields, got ${fields}`);
      if (count === capacity) grow();
      let field = at + 2;
      for (let c = 0; c < kinds.length; c++) {
        const width = buffer.readInt32BE(field);
        if (width !== WIDTH[kinds[c]]) throw new Error(`COPY: field ${c + 1} is ${width} bytes, not a non-null ${kinds[c]}`);
        field += 4;
        const kind = kinds[c];
        columns[c][count] = kind === 'int4' ? buffer.readInt32BE(field) : kind === 'float4' ? buffer.readFloatBE(field) : buffer.readDoubleBE(field);
        field += width;
      }
      count++;
      at = field;
    }
    pending = buffer.subarray(at);
  }
  if (!ended) throw new Error('COPY ended before its trailer');
  // Copied to their exact length, so the spare capacity is freed.
  return { columns: columns.map((column) => column.slice(0, count)), count } as unknown as CopiedColumns<K>;
}

export interface RatingColumns {
  userIds: Int32Array;
  productIds: Int32Array;
  values: Float32Array;
  count: number;
}

const RATING_KINDS = ['int4', 'int4', 'float4'] as const;

/** (user, product, value) rows of a `COPY (…) TO STDOUT (FORMAT binary)` of int4, int4, real. */
export async function copyRatings(client: pg.PoolClient | pg.Client, sql: string, expected = 1 << 16): Promise<RatingColumns> {
  const { columns, count } = await copyColumns(client, sql, RATING_KINDS, expected);
  const [userIds, productIds, values] = columns;
  return { userIds, productIds, values, count };
}
