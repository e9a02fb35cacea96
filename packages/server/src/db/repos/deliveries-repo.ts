// Deliveries as their webhook's owner manages them: resend one by hand and re-queue the ones missed
// while paused. The engine owns claiming and recording; this side only puts rows back in the queue.
import type { Kysely } from 'kysely';
import type { Database } from '../tables.ts';

export type ResendResult = 'queued' | 'not_found' | 'in_progress';

export function createDeliveriesRepo(db: Kysely<Database>) {
  return {
    /**
     * Puts a delivery of this webhook back in the queue, due now: the engine gives it one more
     * attempt with the same event id. A delivery whose attempt is in flight (live lease) is left alone.
     */
    async resend(webhookId: string, deliveryId: string, now = Date.now()): Promise<ResendResult> {
      return db.transaction().execute(async (trx) => {
        const row = await trx
          .selectFrom('deliveries')
          .select(['status', 'locked_until'])
          .where('id', '=', deliveryId)
          .where('webhook_id', '=', webhookId)
          .executeTakeFirst();
        if (!row) return 'not_found';
        if (row.status === 'pending' && row.locked_until !== null && Number(row.locked_until) > now) {
          return 'in_progress';
        }
        const updated = await trx
          .updateTable('deliveries')
          .set({
            status: 'pending',
            status_reason: 'resent',
            next_attempt_at: now,
            locked_until: null,
            locked_by: null,
            updated_at: now,
          })
          .where('id', '=', deliveryId)
          .where('webhook_id', '=', webhookId)
          .where((eb) =>
            eb.or([
              eb('status', '!=', 'pending'),
              eb('locked_until', 'is', null),
              eb('locked_until', '<=', now),
            ]),
          )
          .executeTakeFirst();
        return updated.numUpdatedRows > 0n ? 'queued' : 'in_progress';
      });
    },

    /** Re-queues every delivery of the webhook that was missed while it was paused; returns how many. */
    async requeueMissed(webhookId: string, now = Date.now()): Promise<number> {
      const result = await db
        .updateTable('deliveries')
        .set({
          status: 'pending',
          status_reason: 'sent_after_resume',
          next_attempt_at: now,
          locked_until: null,
          locked_by: null,
          updated_at: now,
        })
        .where('webhook_id', '=', webhookId)
        .where('status', '=', 'missed')
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },
  };
}

export type DeliveriesRepo = ReturnType<typeof createDeliveriesRepo>;
