// One transaction on a pooled PostgreSQL connection of its own, for statements run outside Kysely
// (named prepared statements): BEGIN, the work, COMMIT; on failure ROLLBACK, and a connection whose
// ROLLBACK fails is not given back to the pool.
import type pg from 'pg';

export async function inPgTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    client.release();
    return result;
  } catch (error) {
    const broken = await client.query('ROLLBACK').then(
      () => undefined,
      (rollbackError: Error) => rollbackError,
    );
    client.release(broken);
    throw error;
  }
}
