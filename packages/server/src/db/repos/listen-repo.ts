// Deliveries of development endpoints (`klang-webhooks listen`): leased to the session's stream,
// not to a worker (the engine only claims from active webhooks), and finished with the attempt the
// CLI reports. One attempt each: a development endpoint has no retries.
import type { Kysely } from 'kysely';
import type { Database, NewAttemptRow } from '../tables.ts';

export interface StreamedDelivery {
  deliveryId: string;
  eventId: string;
  eventType: string;
  test: boolean;
  payload: string;
  /** Attempts made so far (a resend adds one). */
  attempts: number;
}

export interface ListenAttempt {
  row: NewAttemptRow;
  deliveryStatus: 'succeeded' | 'failed';
}

export function createListenRepo(db: Kysely<Database>) {
  return {
    /** Leases the due, unleased deliveries of the webhook to `holder` for `leaseMs`, oldest first. */
    async leaseDue(webhookId: string, holder: string, now: number, leaseMs: number, limit = 20) {
      const rows = await db
        .selectFrom('deliveries as d')
        .innerJoin('events as e', 'e.id', 'd.event_id')
        .select(['d.id', 'd.event_id', 'e.type', 'd.test', 'e.payload', 'd.attempts'])
        .where('d.webhook_id', '=', webhookId)
        .where('d.status', '=', 'pending')
        .where('d.next_attempt_at', '<=', now)
        .where((eb) => eb.or([eb('d.locked_until', 'is', null), eb('d.locked_until', '<', now)]))
        .orderBy('d.next_attempt_at')
        .limit(limit)
        .execute();
      const leased: StreamedDelivery[] = [];
      for (const row of rows) {
        const result = await db
          .updateTable('deliveries')
          .set({ locked_until: now + leaseMs, locked_by: holder })
          .where('id', '=', row.id)
          .where('status', '=', 'pending')
          .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now)]))
          .executeTakeFirst();
        if (result.numUpdatedRows === 0n) continue;
        leased.push({
          deliveryId: row.id,
          eventId: row.event_id,
          eventType: row.type,
          test: Number(row.test) === 1,
          payload: row.payload,
          attempts: Number(row.attempts),
        });
      }
      return leased;
    },

    /** A delivery of the webhook leased to `holder`, waiting for its result. */
    async leased(
      webhookId: string,
      deliveryId: string,
      holder: string,
    ): Promise<StreamedDelivery | undefined> {
      const row = await db
        .selectFrom('deliveries as d')
        .innerJoin('events as e', 'e.id', 'd.event_id')
        .select(['d.id', 'd.event_id', 'e.type', 'd.test', 'e.payload', 'd.attempts'])
        .where('d.id', '=', deliveryId)
        .where('d.webhook_id', '=', webhookId)
        .where('d.status', '=', 'pending')
        .where('d.locked_by', '=', holder)
        .executeTakeFirst();
      return row
        ? {
            deliveryId: row.id,
            eventId: row.event_id,
            eventType: row.type,
            test: Number(row.test) === 1,
            payload: row.payload,
            attempts: Number(row.attempts),
          }
        : undefined;
    },

    /** Finishes a delivery leased to `holder` with its attempt; false when it is not (or no longer) leased to it. */
    async finish(deliveryId: string, holder: string, attempt: ListenAttempt, now: number): Promise<boolean> {
      return db.transaction().execute(async (trx) => {
        const result = await trx
          .updateTable('deliveries')
          .set((eb) => ({
            status: attempt.deliveryStatus,
            status_reason: null,
            attempts: eb('attempts', '+', 1),
            locked_until: null,
            locked_by: null,
            updated_at: now,
          }))
          .where('id', '=', deliveryId)
          .where('status', '=', 'pending')
          .where('locked_by', '=', holder)
          .executeTakeFirst();
        if (result.numUpdatedRows === 0n) return false;
        await trx.insertInto('attempts').values(attempt.row).execute();
        return true;
      });
    },
  };
}

export type ListenRepo = ReturnType<typeof createListenRepo>;
