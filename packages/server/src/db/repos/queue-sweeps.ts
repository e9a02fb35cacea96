// Housekeeping of the queue: expired leases (a crashed worker's) back to the queue, history past
// retention pruned in bounded batches, stale worker heartbeats removed.
import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../dialect.ts';
import type { Database } from '../tables.ts';
import { deleteEvents, deleteOrphanedRows } from './cascades.ts';

export interface PruneCounts {
  attempts: number;
  events: number;
  stats: number;
  idempotencyKeys: number;
}

export interface PruneCutoffs {
  /** Events, deliveries, attempts and idempotency keys created before this (ms) go. */
  history: number;
  /** Hourly stats of hours starting before this (ms) go. */
  stats: number;
}

/** Rows per table per retention batch: small enough that a batch never holds delivery up for long. */
export const PRUNE_BATCH = 2_000;

export function createQueueSweeps(db: Kysely<Database>, dialect: Dialect) {
  return {
    /**
     * Returns deliveries whose lease expired to the queue. Their interrupted attempt was never
     * recorded, so it counts neither as an attempt nor as a failure.
     */
    async releaseExpiredLeases(now: number): Promise<number> {
      const result = await db
        .updateTable('deliveries')
        .set({ locked_until: null, locked_by: null })
        .where('status', '=', 'pending')
        .where('locked_until', '<', now)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },

    /**
     * One bounded batch of retention: at most `batch` rows per table — attempts and events (whose
     * deliveries are all finished; deliveries and attempts go with them) created before `history`,
     * idempotency keys before `history`, hourly stats (and their shards) of hours before `stats`. Call again while a
     * table returns a full batch.
     */
    async prune(cutoffs: PruneCutoffs, batch = PRUNE_BATCH): Promise<PruneCounts> {
      const attempts = await db
        .deleteFrom('attempts')
        .where('id', 'in', (eb) =>
          eb.selectFrom('attempts').select('id').where('created_at', '<', cutoffs.history).limit(batch),
        )
        .executeTakeFirst();
      const stale = await db
        .selectFrom('events as e')
        .select('e.id')
        .where('e.created_at', '<', cutoffs.history)
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('deliveries as d')
                .select('d.id')
                .whereRef('d.event_id', '=', 'e.id')
                .where('d.status', '=', 'pending'),
            ),
          ),
        )
        .limit(batch)
        .execute();
      const eventIds = stale.map((row) => row.id);
      const events =
        eventIds.length > 0 ? await db.transaction().execute((trx) => deleteEvents(trx, eventIds)) : 0;
      const stats = await sql`
        DELETE FROM webhook_stats_hourly WHERE (webhook_id, hour) IN (
          SELECT webhook_id, hour FROM webhook_stats_hourly WHERE hour < ${cutoffs.stats} LIMIT ${batch}
        )`.execute(db);
      const shards = await sql`
        DELETE FROM webhook_stats_hourly_shards WHERE (webhook_id, hour, shard) IN (
          SELECT webhook_id, hour, shard FROM webhook_stats_hourly_shards
          WHERE hour < ${cutoffs.stats} LIMIT ${batch}
        )`.execute(db);
      const keys = await db
        .deleteFrom('idempotency_keys')
        .where('key', 'in', (eb) =>
          eb
            .selectFrom('idempotency_keys')
            .select('key')
            .where('created_at', '<', cutoffs.history)
            .limit(batch),
        )
        .executeTakeFirst();
      return {
        attempts: Number(attempts.numDeletedRows),
        events,
        stats: Number(stats.numAffectedRows ?? 0) + Number(shards.numAffectedRows ?? 0),
        idempotencyKeys: Number(keys.numDeletedRows),
      };
    },

    /**
     * Deliveries and attempts of webhooks deleted without them (cascades.ts); returns the webhooks.
     * PostgreSQL only: SQLite's foreign keys cascade, so none can be left there.
     */
    removeOrphanedRows: async () => (dialect === 'postgres' ? deleteOrphanedRows(db) : 0),

    /** Forgets workers that have not sent a heartbeat since `cutoff`. */
    async removeStaleWorkers(cutoff: number): Promise<number> {
      const result = await db.deleteFrom('workers').where('heartbeat_at', '<', cutoff).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

export type QueueSweeps = ReturnType<typeof createQueueSweeps>;

/** Leased rows after which a PostgreSQL worker makes sure the queue tables have statistics. */
const ANALYZE_AFTER = 500;

/**
 * PostgreSQL only. A new database has no planner statistics until autovacuum's first pass (a minute
 * or more), and without them the claim plans read whole tables (nested loops over every webhook,
 * bitmap scans and sorts, hash joins of all events). Once this process has leased ANALYZE_AFTER rows it analyzes the queue
 * tables if nothing has yet; autovacuum keeps them current afterwards. Failures are ignored.
 */
export function createFirstAnalyze(db: Kysely<Database>) {
  let leased = 0;
  let done = false;
  return {
    async afterClaim(count: number): Promise<void> {
      if (done) return;
      leased += count;
      if (leased < ANALYZE_AFTER) return;
      done = true;
      try {
        const { rows } = await sql<{ never: boolean }>`
          SELECT coalesce(last_analyze, last_autoanalyze) IS NULL AS never
          FROM pg_stat_user_tables WHERE relid = to_regclass('deliveries')`.execute(db);
        if (rows[0]?.never !== true) return;
        await sql`ANALYZE deliveries, events, webhooks`.execute(db);
      } catch {
        // Statistics are an optimisation; autovacuum gathers them anyway.
      }
    },
  };
}
