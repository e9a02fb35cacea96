// Reads the hourly rollups the engine writes (webhook_stats_hourly and the shards written beside a
// concurrent writer, summed; `hour` = start of the hour in ms): per-webhook totals, response-time
// histogram and failures by kind, and zero-filled hourly buckets over a window of whole hours.
import type { Kysely } from 'kysely';
import { emptyFailuresByKind, FAILURE_KINDS, type FailureKind } from '../../domain/failure-kind.ts';
import { emptyResponseBuckets } from '../../domain/response-histogram.ts';
import { FAILURE_KIND_COLUMNS, RESPONSE_BUCKET_COLUMNS, STATS_COLUMNS } from '../stats-columns.ts';
import type { Database } from '../tables.ts';

export const HOUR_MS = 3_600_000;

export interface HourBucket {
  hour: number;
  succeeded: number;
  failed: number;
}

export interface WindowStats {
  succeeded: number;
  failed: number;
  responseMsSum: number;
  responseCount: number;
  /** Responses per bucket of RESPONSE_BUCKET_BOUNDS_MS. */
  responseBuckets: number[];
  /** Failed attempts per kind (internal failures are in `failed` only). */
  failuresByKind: Record<FailureKind, number>;
  /** `hours` buckets, oldest first, zero-filled. */
  buckets: HourBucket[];
}

/** Start (ms) of the first hour of a window of `hours` whole hours ending with the current one. */
export const windowStart = (now: number, hours: number): number =>
  Math.floor(now / HOUR_MS) * HOUR_MS - (hours - 1) * HOUR_MS;

const emptyStats = (start: number, hours: number): WindowStats => ({
  succeeded: 0,
  failed: 0,
  responseMsSum: 0,
  responseCount: 0,
  responseBuckets: emptyResponseBuckets(),
  failuresByKind: emptyFailuresByKind(),
  buckets: Array.from({ length: hours }, (_, i) => ({ hour: start + i * HOUR_MS, succeeded: 0, failed: 0 })),
});

export function createStatsRepo(db: Kysely<Database>) {
  return {
    /** Stats of each webhook over the last `hours` hours (the current, partial hour included). */
    async window(
      webhookIds: readonly string[],
      hours = 24,
      now = Date.now(),
    ): Promise<Map<string, WindowStats>> {
      const start = windowStart(now, hours);
      const result = new Map(webhookIds.map((id) => [id, emptyStats(start, hours)]));
      if (webhookIds.length === 0) return result;
      const rows = await db
        .selectFrom('webhook_stats_hourly')
        .select(STATS_COLUMNS)
        .where('webhook_id', 'in', [...webhookIds])
        .where('hour', '>=', start)
        .where('hour', '<', start + hours * HOUR_MS)
        .unionAll(
          db
            .selectFrom('webhook_stats_hourly_shards')
            .select(STATS_COLUMNS)
            .where('webhook_id', 'in', [...webhookIds])
            .where('hour', '>=', start)
            .where('hour', '<', start + hours * HOUR_MS),
        )
        .execute();
      for (const row of rows) {
        const stats = result.get(row.webhook_id);
        if (!stats) continue;
        const index = Math.floor((Number(row.hour) - start) / HOUR_MS);
        const bucket = stats.buckets[index];
        if (!bucket) continue;
        bucket.succeeded += Number(row.succeeded);
        bucket.failed += Number(row.failed);
        stats.succeeded += Number(row.succeeded);
        stats.failed += Number(row.failed);
        stats.responseMsSum += Number(row.response_ms_sum);
        stats.responseCount += Number(row.response_count);
        RESPONSE_BUCKET_COLUMNS.forEach((column, i) => {
          stats.responseBuckets[i]! += Number(row[column]);
        });
        FAILURE_KIND_COLUMNS.forEach((column, i) => {
          stats.failuresByKind[FAILURE_KINDS[i]!] += Number(row[column]);
        });
      }
      return result;
    },
  };
}

export type StatsRepo = ReturnType<typeof createStatsRepo>;
