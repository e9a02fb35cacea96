// The deletes that follow a webhook's or an event's, in code: on PostgreSQL the queue's hot rows carry
// no foreign keys (migration 0008), on SQLite their keys cascade first and these find nothing left.
import { type Kysely, sql, type Transaction } from 'kysely';
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

/** Webhook ids the table's rows name, one index probe per id (a loose index scan on `webhook_id`). */
const WEBHOOKS_NAMED = (table: 'deliveries' | 'attempts') => sql`
  WITH RECURSIVE named(webhook_id) AS (
    SELECT min(webhook_id) FROM ${sql.table(table)}
    UNION ALL
    SELECT (SELECT min(t.webhook_id) FROM ${sql.table(table)} t WHERE t.webhook_id > named.webhook_id)
    FROM named WHERE named.webhook_id IS NOT NULL
  )
  SELECT webhook_id FROM named
  WHERE webhook_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM webhooks w WHERE w.id = named.webhook_id)`;

/**
 * Deletes the deliveries and attempts of webhooks that no longer exist: a process of a version
 * before these deletes (relying on the foreign keys' cascade) may have removed a webhook while the
 * service was being upgraded. Returns the webhooks cleaned up.
 */
export async function deleteOrphanedRows(db: Kysely<Database>): Promise<number> {
  const ids = new Set<string>();
  for (const table of ['deliveries', 'attempts'] as const) {
    const { rows } = await WEBHOOKS_NAMED(table).execute(db);
    for (const row of rows as { webhook_id: string }[]) ids.add(row.webhook_id);
  }
  for (const id of ids) await db.transaction().execute((trx) => deleteWebhookRows(trx, id));
  return ids.size;
}
