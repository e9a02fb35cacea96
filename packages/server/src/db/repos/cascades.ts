// The deletes that follow a webhook's or an event's, in code: on PostgreSQL the queue's hot rows carry
// no foreign keys (migration 0008), on SQLite their keys cascade first and these find nothing left.
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../tables.ts';

type Executor = Kysely<Database> | Transaction<Database>;

/**
 * A deleted webhook's deliveries, then their attempts. Run after the webhook's row is deleted in the
 * same transaction: a worker recording results holds its deliveries' rows, so the deliveries' delete
 * waits for its commit, and the attempts' delete, a statement later, sees what it wrote.
 */
export async function deleteWebhookRows(trx: Transaction<Database>, webhookId: string): Promise<void> {
  await trx.deleteFrom('deliveries').where('webhook_id', '=', webhookId).execute();
  await trx.deleteFrom('attempts').where('webhook_id', '=', webhookId).execute();
}

/** Events with their deliveries and those deliveries' attempts; returns the events deleted. */
export async function deleteEvents(db: Executor, eventIds: readonly string[]): Promise<number> {
  if (eventIds.length === 0) return 0;
  const ids = [...eventIds];
  await db
    .deleteFrom('attempts')
    .where('delivery_id', 'in', (eb) => eb.selectFrom('deliveries').select('id').where('event_id', 'in', ids))
    .execute();
  await db.deleteFrom('deliveries').where('event_id', 'in', ids).execute();
  const result = await db.deleteFrom('events').where('id', 'in', ids).executeTakeFirst();
  return Number(result.numDeletedRows);
}
