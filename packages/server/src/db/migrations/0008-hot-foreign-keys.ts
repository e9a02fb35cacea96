// PostgreSQL: no foreign keys on the queue's hot rows. Each key checked a parent row per inserted row
// (FOR KEY SHARE): four webhook rows locked by every intake group and every worker's attempts made
// MultiXacts on each. What they guarded is kept in code: intake locks its candidate webhooks once per
// group, deleting a webhook or an event deletes their deliveries and attempts (db/repos/cascades.ts).
import { type Kysely, PostgresAdapter, sql } from 'kysely';

const HOT_KEYS = [
  ['deliveries', 'event_id', 'events'],
  ['deliveries', 'webhook_id', 'webhooks'],
  ['attempts', 'delivery_id', 'deliveries'],
  ['attempts', 'webhook_id', 'webhooks'],
] as const;

const isPostgres = (db: Kysely<unknown>) => db.getExecutor().adapter instanceof PostgresAdapter;

export async function up(db: Kysely<unknown>): Promise<void> {
  if (!isPostgres(db)) return; // SQLite checks a key by an index lookup and keeps them.
  for (const [table, column] of HOT_KEYS) {
    await sql`ALTER TABLE ${sql.table(table)} DROP CONSTRAINT IF EXISTS ${sql.id(`${table}_${column}_fkey`)}`.execute(
      db,
    );
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (!isPostgres(db)) return;
  for (const [table, column, parent] of HOT_KEYS) {
    await sql`ALTER TABLE ${sql.table(table)} ADD CONSTRAINT ${sql.id(`${table}_${column}_fkey`)}
      FOREIGN KEY (${sql.ref(column)}) REFERENCES ${sql.table(parent)} (id) ON DELETE CASCADE`.execute(db);
  }
}
