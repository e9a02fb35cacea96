// Cheaper queue writes on PostgreSQL: one (webhook_id, status, next_attempt_at) index replaces the two
// per-webhook ones, and deliveries pages keep free room so lease updates are HOT (no index entries).
import { type Kysely, PostgresAdapter, sql } from 'kysely';

function isPostgres(db: Kysely<unknown>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

export async function up(db: Kysely<unknown>): Promise<void> {
  // Serves refills (one webhook's pending rows in due order), re-queueing missed deliveries and the
  // cascade from webhooks; the planner has no second per-webhook index to pick before statistics exist.
  await db.schema
    .createIndex('deliveries_webhook_status_due')
    .on('deliveries')
    .columns(['webhook_id', 'status', 'next_attempt_at'])
    .execute();
  await db.schema.dropIndex('deliveries_webhook').execute();
  await db.schema.dropIndex('deliveries_webhook_due').execute();
  if (isPostgres(db)) {
    // Leases touch only unindexed columns (locked_until, locked_by): with room on the page they are
    // HOT updates. Vacuum and analyze sooner: the table churns and its backlog grows in seconds.
    await sql`ALTER TABLE deliveries SET (fillfactor = 70, autovacuum_vacuum_scale_factor = 0.02,
      autovacuum_analyze_scale_factor = 0.02, autovacuum_vacuum_insert_scale_factor = 0.02)`.execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (isPostgres(db)) {
    await sql`ALTER TABLE deliveries RESET (fillfactor, autovacuum_vacuum_scale_factor,
      autovacuum_analyze_scale_factor, autovacuum_vacuum_insert_scale_factor)`.execute(db);
  }
  await db.schema
    .createIndex('deliveries_webhook_due')
    .on('deliveries')
    .columns(['webhook_id', 'next_attempt_at'])
    .where(sql.ref('status'), '=', 'pending')
    .execute();
  await db.schema
    .createIndex('deliveries_webhook')
    .on('deliveries')
    .columns(['webhook_id', 'status'])
    .execute();
  await db.schema.dropIndex('deliveries_webhook_status_due').execute();
}
