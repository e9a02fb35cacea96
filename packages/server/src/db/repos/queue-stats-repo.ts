// Cheap queue facts for /metrics and /readyz: pending deliveries due now and scheduled later
// (partial index), and the latest worker heartbeat.
import type { Kysely } from 'kysely';
import type { Database } from '../tables.ts';

export function createQueueStatsRepo(db: Kysely<Database>) {
  return {
    /** Time of the most recent worker heartbeat, or undefined when no worker has reported. */
    async latestHeartbeat(): Promise<number | undefined> {
      const row = await db
        .selectFrom('workers')
        .select((eb) => eb.fn.max('heartbeat_at').as('at'))
        .executeTakeFirst();
      return row?.at == null ? undefined : Number(row.at);
    },

    async pendingCounts(now = Date.now()): Promise<{ due: number; scheduled: number }> {
      const rows = await db
        .selectFrom('deliveries')
        .select((eb) => [
          eb.fn.countAll<number>().as('n'),
          eb.case().when('next_attempt_at', '<=', now).then(1).else(0).end().as('due'),
        ])
        .where('status', '=', 'pending')
        .groupBy('due')
        .execute();
      const count = (due: number) => Number(rows.find((r) => Number(r.due) === due)?.n ?? 0);
      return { due: count(1), scheduled: count(0) };
    },
  };
}
