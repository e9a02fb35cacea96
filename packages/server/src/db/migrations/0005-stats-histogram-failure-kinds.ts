// Hourly rollups count responses per fixed response-time bucket (upper bounds in ms, the last open)
// and failed attempts per failure kind. Rows written before this migration have zeros in them all.
import type { Kysely } from 'kysely';

/** The columns this migration adds, as of this migration (0006 creates its table with them too). */
export const HISTOGRAM_COLUMNS = [
  'response_le_5',
  'response_le_10',
  'response_le_25',
  'response_le_50',
  'response_le_100',
  'response_le_250',
  'response_le_500',
  'response_le_1000',
  'response_le_2500',
  'response_le_5000',
  'response_le_10000',
  'response_le_inf',
  'failed_timeout',
  'failed_connection',
  'failed_dns',
  'failed_tls',
  'failed_redirect',
  'failed_client_error',
  'failed_server_error',
  'failed_blocked',
];

export async function up(db: Kysely<unknown>): Promise<void> {
  // One column per statement: SQLite adds one column per ALTER TABLE.
  for (const column of HISTOGRAM_COLUMNS) {
    await db.schema
      .alterTable('webhook_stats_hourly')
      .addColumn(column, 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const column of [...HISTOGRAM_COLUMNS].reverse()) {
    await db.schema.alterTable('webhook_stats_hourly').dropColumn(column).execute();
  }
}
