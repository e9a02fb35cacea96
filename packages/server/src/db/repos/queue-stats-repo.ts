// Cheap queue facts for /metrics and /readyz: pending deliveries due now and scheduled later, the
// oldest due one (partial index), webhooks by status, the latest worker heartbeat and the live workers.
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

    /** How many workers have a heartbeat at or after `since` (those alive and not stuck). */
    async liveWorkers(since: number): Promise<number> {
      const row = await db
        .selectFrom('workers')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('heartbeat_at', '>=', since)
        .executeTakeFirst();
      return Number(row?.n ?? 0);
    },

    /** The next_attempt_at of the longest-waiting due delivery, or undefined when none is due. */
    async oldestDue(now = Date.now()): Promise<number | undefined> {
      const row = await db
        .selectFrom('deliveries')
        .select((eb) => eb.fn.min('next_attempt_at').as('at'))
        .where('status', '=', 'pending')
        .executeTakeFirst();
      const at = row?.at == null ? undefined : Number(row.at);
      return at !== undefined && at <= now ? at : undefined;
    },

    async webhooksByStatus(): Promise<Record<string, number>> {
      const rows = await db
        .selectFrom('webhooks')
        .select((eb) => ['status', eb.fn.countAll<number>().as('n')])
        .groupBy('status')
        .execute();
      return Object.fromEntries(rows.map((row) => [row.status, Number(row.n)]));
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
