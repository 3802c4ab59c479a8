/**
 * Every rating as three typed arrays, read with one binary COPY: no object per row, so 10 million
 * ratings take 120 MB rather than gigabytes of row arrays and strings. Reads on the client given (so a
 * caller's transaction and snapshot apply).
 */
import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { RATINGS_COPY_SQL } from './sql.js';

export interface RatingColumns {
  userIds: Int32Array;
  productIds: Int32Array;
  values: Float32Array;
  count: number;
}

// Binary COPY: an 11-byte signature, flags (4), header extension length (4), then per tuple a
// field count (int16) and per field a length (int32) and the value; a field count of -1 ends it.
const HEADER_BYTES = 19;
const TUPLE_BYTES = 2 + 3 * (4 + 4);

/** The ratings ordered by (user_id, product_id). */
export async function copyRatings(client: pg.PoolClient | pg.Client, expected = 1 << 16): Promise<RatingColumns> {
  let capacity = Math.max(1024, expected);
  let out: RatingColumns = { userIds: new Int32Array(capacity), productIds: new Int32Array(capacity), values: new Float32Array(capacity), count: 0 };
  const grow = () => {
    capacity *= 2;
    const next: RatingColumns = { userIds: new Int32Array(capacity), productIds: new Int32Array(capacity), values: new Float32Array(capacity), count: out.count };
    next.userIds.set(out.userIds);
    next.productIds.set(out.productIds);
    next.values.set(out.values);
    out = next;
  };
  const stream = client.query(copyTo(RATINGS_COPY_SQL));
  let pending: Buffer = Buffer.alloc(0);
  let headerRead = false;
  let ended = false;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let buffer = pending.length ? Buffer.concat([pending, chunk]) : chunk;
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
      if (buffer.length - at < TUPLE_BYTES) break;
      if (fields !== 3) throw new Error(`ratings COPY: expected 3 fields, got ${fields}`);
      if (out.count === capacity) grow();
      const k = out.count++;
      out.userIds[k] = buffer.readInt32BE(at + 6);
      out.productIds[k] = buffer.readInt32BE(at + 14);
      out.values[k] = buffer.readFloatBE(at + 22);
      at += TUPLE_BYTES;
    }
    pending = buffer.subarray(at);
    buffer = pending;
  }
  if (!ended) throw new Error('ratings COPY ended before its trailer');
  // Copied to their exact length, so the spare capacity is freed.
  return { userIds: out.userIds.slice(0, out.count), productIds: out.productIds.slice(0, out.count), values: out.values.slice(0, out.count), count: out.count };
}
