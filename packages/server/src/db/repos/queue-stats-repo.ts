// Cheap queue gauges for /metrics: pending deliveries due now and scheduled later (partial index).
import type { Kysely } from 'kysely';
import type { Database } from '../tables.ts';

export function createQueueStatsRepo(db: Kysely<Database>) {
  return {
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
