// One transaction on one connection: committed when the work returns, rolled back when it throws. The one
// place BEGIN, COMMIT and ROLLBACK are written.
import pg from 'pg';

type Connection = pg.PoolClient | pg.Client;

/**
 * Runs `work` in a transaction (`begin` may set its isolation) on `on`: a connection of a pool, given back
 * after (not when its ROLLBACK itself failed: the connection is gone), or a connection the caller holds.
 */
export async function inTransaction<T>(on: pg.Pool, work: (client: pg.PoolClient) => Promise<T>, begin?: string): Promise<T>;
export async function inTransaction<T, C extends Connection>(on: C, work: (client: C) => Promise<T>, begin?: string): Promise<T>;
export async function inTransaction<T>(on: pg.Pool | Connection, work: (client: never) => Promise<T>, begin = 'BEGIN'): Promise<T> {
  const pooled = on instanceof pg.Pool;
  const client: Connection = pooled ? await on.connect() : on;
  let broken: Error | undefined;
  try {
    await client.query(begin);
    const result = await work(client as never);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch((rollback: Error) => (broken = rollback));
    throw error;
  } finally {
    if (pooled) (client as pg.PoolClient).release(broken);
  }
}
