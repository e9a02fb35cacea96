// Hourly rollups written beside a concurrent writer: when another result transaction holds the
// (webhook, hour) rows of webhook_stats_hourly, a PostgreSQL worker adds to its own shard's rows here
// instead of waiting; readers sum both tables. Additive: processes of the previous version keep
// writing (and reading) webhook_stats_hourly as before.
import type { Kysely } from 'kysely';
import { HISTOGRAM_COLUMNS } from './0005-stats-histogram-failure-kinds.ts';

/** The counters as of this migration (webhook_stats_hourly's, 0001 and 0005). */
const INTEGER_COUNTERS = ['succeeded', 'failed', 'response_count', ...HISTOGRAM_COLUMNS];

export async function up(db: Kysely<unknown>): Promise<void> {
  let table = db.schema
    .createTable('webhook_stats_hourly_shards')
    .addColumn('webhook_id', 'text', (c) => c.notNull().references('webhooks.id').onDelete('cascade'))
    .addColumn('hour', 'bigint', (c) => c.notNull())
    .addColumn('shard', 'integer', (c) => c.notNull())
    .addColumn('response_ms_sum', 'bigint', (c) => c.notNull().defaultTo(0));
  for (const column of INTEGER_COUNTERS) {
    table = table.addColumn(column, 'integer', (c) => c.notNull().defaultTo(0));
  }
  await table
    .addPrimaryKeyConstraint('webhook_stats_hourly_shards_pk', ['webhook_id', 'hour', 'shard'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('webhook_stats_hourly_shards').execute();
}
