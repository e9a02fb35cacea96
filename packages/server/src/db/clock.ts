// The database server's clock, for `doctor`: lease and retry times are compared across machines.
import { sql } from 'kysely';
import type { DatabaseHandle } from './connect.ts';

/** Milliseconds since the epoch on the database server; undefined for SQLite (this machine's clock). */
export async function databaseNow(database: DatabaseHandle): Promise<number | undefined> {
  if (database.dialect !== 'postgres') return undefined;
  const { rows } = await sql<{
    now: number;
  }>`select (extract(epoch from clock_timestamp()) * 1000)::float8 as now`.execute(database.db);
  return rows[0] ? Number(rows[0].now) : undefined;
}
