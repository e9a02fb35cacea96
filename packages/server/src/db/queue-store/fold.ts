// Recording a batch, the part that needs no database: results split by outcome class (one UPDATE
// each), the attempts, counter changes and hourly stats of the results whose lease held, and the
// counters and auto-pauses those changes lead to — with the domain's rules. Pure.
import {
  applyChange,
  type FailureCountChange,
  foldResults,
  shouldAutoPause,
} from '../../domain/auto-pause.ts';
import { FAILURE_KINDS, failureKindOf } from '../../domain/failure-kind.ts';
import { emptyResponseBuckets, responseBucketIndex } from '../../domain/response-histogram.ts';
import type { NewAttemptRow } from '../tables.ts';
import type { QueueResult, RecordOptions } from './types.ts';

export const HOUR_MS = 3_600_000;

export interface OutcomeClasses {
  succeeded: string[];
  /** [delivery id, next attempt at] */
  retried: [string, number][];
  /** [delivery id, status reason] */
  failed: [string, string | null][];
  /** [delivery id, reason] */
  cancelled: [string, string][];
}

export function outcomeClasses(results: readonly QueueResult[], now: number): OutcomeClasses {
  const classes: OutcomeClasses = { succeeded: [], retried: [], failed: [], cancelled: [] };
  for (const r of results) {
    if (r.kind === 'cancel') classes.cancelled.push([r.deliveryId, r.reason]);
    else if (r.deliveryStatus === 'succeeded') classes.succeeded.push(r.deliveryId);
    else if (r.deliveryStatus === 'pending') classes.retried.push([r.deliveryId, r.nextAttemptAt ?? now]);
    else classes.failed.push([r.deliveryId, r.statusReason]);
  }
  return classes;
}

export interface StatsBucket {
  webhook_id: string;
  hour: number;
  succeeded: number;
  failed: number;
  response_ms_sum: number;
  response_count: number;
  /** Responses per bucket of RESPONSE_BUCKET_BOUNDS_MS. */
  response_buckets: number[];
  /** Failed attempts per kind, in FAILURE_KINDS order. */
  failures: number[];
}

/** A bucket's values in STATS_COLUMNS order (db/stats-columns.ts), as the upserts take them. */
export const statsValues = (b: StatsBucket): (string | number)[] => [
  b.webhook_id,
  b.hour,
  b.succeeded,
  b.failed,
  b.response_ms_sum,
  b.response_count,
  ...b.response_buckets,
  ...b.failures,
];

export interface KeptFold {
  attempts: NewAttemptRow[];
  /** Cancelled deliveries whose attempts must forget their next retry. */
  cancelled: string[];
  /** Per webhook (sorted by id), how its failure counter changes. */
  changes: [string, FailureCountChange][];
  /** Sorted by webhook id and hour. */
  stats: StatsBucket[];
}

const byKey = <T>(map: Map<string, T>): [string, T][] =>
  [...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

function addToStats(stats: Map<string, StatsBucket>, row: NewAttemptRow): void {
  const hour = Math.floor(Number(row.created_at) / HOUR_MS) * HOUR_MS;
  const key = `${row.webhook_id} ${hour}`;
  let bucket = stats.get(key);
  if (!bucket) {
    bucket = {
      webhook_id: row.webhook_id,
      hour,
      succeeded: 0,
      failed: 0,
      response_ms_sum: 0,
      response_count: 0,
      response_buckets: emptyResponseBuckets(),
      failures: FAILURE_KINDS.map(() => 0),
    };
    stats.set(key, bucket);
  }
  if (row.outcome === 'succeeded') bucket.succeeded++;
  else bucket.failed++;
  const kind = failureKindOf({
    outcome: row.outcome,
    error: row.error ?? null,
    response_status: row.response_status ?? null,
  });
  if (kind !== null) bucket.failures[FAILURE_KINDS.indexOf(kind)]!++;
  // Response time counts the attempts that got an answer, whatever their outcome.
  if (row.response_status != null) {
    bucket.response_ms_sum += Number(row.duration_ms);
    bucket.response_count++;
    bucket.response_buckets[responseBucketIndex(Number(row.duration_ms))]!++;
  }
}

/** What the kept results (lease still held) write besides the delivery rows. */
export function foldKept(results: readonly QueueResult[], kept: ReadonlySet<string>): KeptFold {
  const attempts: NewAttemptRow[] = [];
  const cancelled: string[] = [];
  const outcomes = new Map<string, ('succeeded' | 'failed')[]>();
  const stats = new Map<string, StatsBucket>();
  for (const result of results) {
    if (!kept.has(result.deliveryId)) continue;
    if (result.kind === 'cancel') {
      cancelled.push(result.deliveryId);
      continue;
    }
    attempts.push(result.attempt);
    const list = outcomes.get(result.webhookId) ?? [];
    list.push(result.attempt.outcome);
    outcomes.set(result.webhookId, list);
    addToStats(stats, result.attempt);
  }
  const changes = byKey(outcomes).map(([id, list]): [string, FailureCountChange] => [id, foldResults(list)]);
  return { attempts, cancelled, changes, stats: byKey(stats).map(([, bucket]) => bucket) };
}

/** Webhooks whose counter only resets (successes only): written only where it is not 0 already. */
export const resetsOnly = (changes: KeptFold['changes']): string[] =>
  changes.filter(([, c]) => c.reset && c.add === 0).map(([id]) => id);

/** Webhooks whose new counter depends on the stored one (read under lock first). */
export const needsRead = (changes: KeptFold['changes']): [string, FailureCountChange][] =>
  changes.filter(([, c]) => !(c.reset && c.add === 0));

export interface CounterUpdate {
  id: string;
  count: number;
  pause: boolean;
}

/** The counters after the changes, from the rows read under lock; which webhooks pause now. */
export function counterUpdates(
  changes: readonly [string, FailureCountChange][],
  rows: ReadonlyMap<string, { status: string; consecutive_failures: number }>,
  options: Pick<RecordOptions, 'autoPauseAfter'>,
): CounterUpdate[] {
  const updates: CounterUpdate[] = [];
  for (const [id, change] of changes) {
    const row = rows.get(id);
    if (!row) continue;
    const count = applyChange(Number(row.consecutive_failures), change);
    const pause = change.add > 0 && shouldAutoPause(row.status, count, options.autoPauseAfter);
    updates.push({ id, count, pause });
  }
  return updates;
}
