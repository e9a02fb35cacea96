// Smaller attempt rows: the `webhook-signature` sent gets a column of its own and the other request
// headers are rebuilt from the row when shown, so `request_headers` keeps `{}` for new rows. Rows
// written before keep every header in `request_headers` (and a null signature), shown as stored.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('attempts').addColumn('request_signature', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('attempts').dropColumn('request_signature').execute();
}
