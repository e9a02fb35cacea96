// Recording delivery results in batches: one transaction writes many attempt rows, the delivery
// states (fenced by the worker's lease), webhook failure counters with auto-pause, and the hourly stats.
import type { Kysely, Transaction } from 'kysely';
import { applyChange, foldResults, shouldAutoPause } from '../../domain/auto-pause.ts';
import type { Dialect } from '../connect.ts';
import type { Database, DeliveryStatus, NewAttemptRow } from '../tables.ts';

export const HOUR_MS = 3_600_000;
const CHUNK = 500;

/** One finished HTTP attempt and the delivery state it leads to. */
export interface AttemptResult {
  kind: 'attempt';
  deliveryId: string;
  webhookId: string;
  attempt: NewAttemptRow;
  /** `pending` schedules a retry at `nextAttemptAt`. */
  deliveryStatus: Extract<DeliveryStatus, 'pending' | 'succeeded' | 'failed'>;
  statusReason: string | null;
  nextAttemptAt: number | null;
}

/** A delivery ended without an attempt (its webhook's owner lost access or plan). */
export interface CancelResult {
  kind: 'cancel';
  deliveryId: string;
  reason: string;
}

export type QueueResult = AttemptResult | CancelResult;

export interface RecordOptions {
  workerId: string;
  now: number;
  autoPauseAfter: number;
  autoPauseReason: string;
}

export interface RecordSummary {
  /** Results whose lease was still held (the others were fenced out and dropped). */
  recorded: number;
  autoPaused: string[];
}

async function finishDelivery(trx: Transaction<Database>, result: QueueResult, options: RecordOptions) {
  const set =
    result.kind === 'attempt'
      ? {
          status: result.deliveryStatus,
          status_reason: result.statusReason,
          next_attempt_at: result.nextAttemptAt ?? options.now,
        }
      : { status: 'cancelled' as const, status_reason: result.reason };
  const updated = await trx
    .updateTable('deliveries')
    .set((eb) => ({
      ...set,
      ...(result.kind === 'attempt' ? { attempts: eb('attempts', '+', 1) } : {}),
      locked_until: null,
      locked_by: null,
      updated_at: options.now,
    }))
    .where('id', '=', result.deliveryId)
    .where('locked_by', '=', options.workerId)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return updated.numUpdatedRows > 0n;
}

interface StatsBucket {
  webhook_id: string;
  hour: number;
  succeeded: number;
  failed: number;
  response_ms_sum: number;
  response_count: number;
}

function addToStats(stats: Map<string, StatsBucket>, row: NewAttemptRow) {
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
    };
    stats.set(key, bucket);
  }
  if (row.outcome === 'succeeded') bucket.succeeded++;
  else bucket.failed++;
  if (row.response_status != null) {
    bucket.response_ms_sum += row.duration_ms;
    bucket.response_count++;
  }
}

async function upsertStats(trx: Transaction<Database>, buckets: StatsBucket[]) {
  for (const bucket of buckets) {
    await trx
      .insertInto('webhook_stats_hourly')
      .values(bucket)
      .onConflict((oc) =>
        oc.columns(['webhook_id', 'hour']).doUpdateSet((eb) => ({
          succeeded: eb('webhook_stats_hourly.succeeded', '+', eb.ref('excluded.succeeded')),
          failed: eb('webhook_stats_hourly.failed', '+', eb.ref('excluded.failed')),
          response_ms_sum: eb(
            'webhook_stats_hourly.response_ms_sum',
            '+',
            eb.ref('excluded.response_ms_sum'),
          ),
          response_count: eb('webhook_stats_hourly.response_count', '+', eb.ref('excluded.response_count')),
        })),
      )
      .execute();
  }
}

/**
 * Applies the batch's results to each webhook's failure counter with the domain rule (applyChange,
 * shouldAutoPause) on the row read under lock; pauses those that reach the threshold.
 */
async function updateCounters(
  trx: Transaction<Database>,
  dialect: Dialect,
  outcomes: Map<string, ('succeeded' | 'failed')[]>,
  options: RecordOptions,
): Promise<string[]> {
  const paused: string[] = [];
  // Webhook ids in one order in every worker, so two batches never wait on each other's rows crosswise.
  for (const webhookId of [...outcomes.keys()].sort()) {
    const change = foldResults(outcomes.get(webhookId) ?? []);
    if (change.reset && change.add === 0) {
      // Only successes: write (and lock) the row only if it has failures to forget. Workers recording
      // batches for the same webhook otherwise queue behind each other's row lock until commit.
      await trx
        .updateTable('webhooks')
        .set({ consecutive_failures: applyChange(0, change) })
        .where('id', '=', webhookId)
        .where('consecutive_failures', '!=', 0)
        .execute();
      continue;
    }
    const row = await trx
      .selectFrom('webhooks')
      .select(['status', 'consecutive_failures'])
      .where('id', '=', webhookId)
      .$if(dialect === 'postgres', (qb) => qb.forUpdate())
      .executeTakeFirst();
    if (!row) continue;
    const count = applyChange(Number(row.consecutive_failures), change);
    const pause = change.add > 0 && shouldAutoPause(row.status, count, options.autoPauseAfter);
    await trx
      .updateTable('webhooks')
      .set({
        consecutive_failures: count,
        ...(pause
          ? {
              status: 'auto_paused' as const,
              status_reason: options.autoPauseReason,
              status_changed_at: options.now,
              updated_at: options.now,
            }
          : {}),
      })
      .where('id', '=', webhookId)
      .execute();
    if (pause) paused.push(webhookId);
  }
  return paused;
}

/** Writes a batch of results in one transaction. Results whose lease this worker lost are dropped. */
export async function recordResults(
  db: Kysely<Database>,
  dialect: Dialect,
  results: readonly QueueResult[],
  options: RecordOptions,
): Promise<RecordSummary> {
  if (results.length === 0) return { recorded: 0, autoPaused: [] };
  return db.transaction().execute(async (trx) => {
    const attempts: NewAttemptRow[] = [];
    const outcomes = new Map<string, ('succeeded' | 'failed')[]>();
    const stats = new Map<string, StatsBucket>();
    const kept = await finishDeliveries(trx, results, options);
    for (const result of results) {
      if (!kept.has(result.deliveryId)) continue;
      if (result.kind === 'cancel') {
        await trx
          .updateTable('attempts')
          .set({ next_retry_at: null })
          .where('delivery_id', '=', result.deliveryId)
          .where('next_retry_at', 'is not', null)
          .execute();
        continue;
      }
      attempts.push(result.attempt);
      const list = outcomes.get(result.webhookId) ?? [];
      list.push(result.attempt.outcome);
      outcomes.set(result.webhookId, list);
      addToStats(stats, result.attempt);
    }
    for (let i = 0; i < attempts.length; i += 200) {
      await trx
        .insertInto('attempts')
        .values(attempts.slice(i, i + 200))
        .execute();
    }
    const autoPaused = await updateCounters(trx, dialect, outcomes, options);
    await upsertStats(
      trx,
      [...stats.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, bucket]) => bucket),
    );
    return { recorded: kept.size, autoPaused };
  });
}

/**
 * Moves each delivery to its next state, fenced by this worker's lease; returns the ids written.
 * Successes (the common case) share one statement; retries, failures and cancellations go one by one.
 */
async function finishDeliveries(
  trx: Transaction<Database>,
  results: readonly QueueResult[],
  options: RecordOptions,
): Promise<Set<string>> {
  const kept = new Set<string>();
  const succeeded = results.filter((r) => r.kind === 'attempt' && r.deliveryStatus === 'succeeded');
  for (let i = 0; i < succeeded.length; i += CHUNK) {
    const rows = await trx
      .updateTable('deliveries')
      .set((eb) => ({
        status: 'succeeded',
        status_reason: null,
        attempts: eb('attempts', '+', 1),
        locked_until: null,
        locked_by: null,
        updated_at: options.now,
      }))
      .where(
        'id',
        'in',
        succeeded.slice(i, i + CHUNK).map((r) => r.deliveryId),
      )
      .where('locked_by', '=', options.workerId)
      .where('status', '=', 'pending')
      .returning('id')
      .execute();
    for (const row of rows) kept.add(row.id);
  }
  for (const result of results) {
    if (result.kind === 'attempt' && result.deliveryStatus === 'succeeded') continue;
    if (await finishDelivery(trx, result, options)) kept.add(result.deliveryId);
  }
  return kept;
}
