// How each stored response body is encoded: `utf8` text, or `base64` for bytes no text column takes
// (NUL, invalid UTF-8). Rows written before this migration are text.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('attempts')
    .addColumn('response_body_encoding', 'text', (column) => column.notNull().defaultTo('utf8'))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('attempts').dropColumn('response_body_encoding').execute();
}
