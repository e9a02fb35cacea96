// Reads of the worker heartbeat rows for readiness: when one given worker last reported.
// (The rows are written by the engine's housekeeping through the queue repository.)
import type { Kysely } from 'kysely';
import type { Database } from '../tables.ts';

export function createWorkersRepo(db: Kysely<Database>) {
  return {
    /** Time of the worker's latest heartbeat, or undefined when it has none (not started, or removed). */
    async heartbeatOf(workerId: string): Promise<number | undefined> {
      const row = await db
        .selectFrom('workers')
        .select('heartbeat_at')
        .where('id', '=', workerId)
        .executeTakeFirst();
      return row === undefined ? undefined : Number(row.heartbeat_at);
    },
  };
}
