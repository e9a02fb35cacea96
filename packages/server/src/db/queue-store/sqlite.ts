// The queue's hot statements on SQLite: fixed SQL text prepared once (lists as one JSON parameter
// read with json_each), each claim or record (with the refill that rides on it) one synchronous
// transaction under Kysely's connection lock, so it never interleaves with another on the connection.
import type SQLite from 'better-sqlite3';
import type { Kysely } from 'kysely';
import { lockedTransaction, preparedAtFirstUse } from '../sqlite-hot-statements.ts';
import { STATS_COLUMNS, STATS_COUNTER_COLUMNS } from '../stats-columns.ts';
import type { Database } from '../tables.ts';
import {
  ATTEMPT_COLUMNS,
  answersInOrder,
  attemptValue,
  CLAIM_RANKING,
  CONTEXT_COLUMNS,
  type ContextRow,
  claimedFromRow,
  HAS_ACCESS,
  type SendContextRow,
} from './context.ts';
import { counterUpdates, foldKept, needsRead, outcomeClasses, resetsOnly, statsValues } from './fold.ts';
import type { ClaimedDelivery, QueueStore, RecordOptions, RefillRequest } from './types.ts';

const SQL = {
  scan: `
    WITH candidates AS (
      SELECT d.id, d.webhook_id, w.user_id, d.next_attempt_at
      FROM deliveries d JOIN webhooks w ON w.id = d.webhook_id
      WHERE d.status = 'pending' AND d.next_attempt_at <= @now AND d.next_attempt_at > @after
        AND (d.locked_until IS NULL OR d.locked_until < @now)
        AND w.status = 'active'
        AND d.webhook_id NOT IN (SELECT value FROM json_each(@excludeWebhooks))
        AND w.user_id NOT IN (SELECT value FROM json_each(@excludeOwners))
      ORDER BY d.next_attempt_at
      LIMIT @scan
    ), ${CLAIM_RANKING('@perWebhook', '@perOwner', '@limit')}
    UPDATE deliveries SET locked_until = @until, locked_by = @workerId
    WHERE id IN (SELECT id FROM chosen)
    RETURNING id`,
  refill: `
    UPDATE deliveries SET locked_until = @until, locked_by = @workerId
    WHERE id IN (
      SELECT d.id FROM deliveries d
      WHERE d.webhook_id = @webhookId
        AND (d.status, d.next_attempt_at) >= ('pending', @after)
        AND (d.status, d.next_attempt_at) <= ('pending', @now)
        AND (d.locked_until IS NULL OR d.locked_until < @now)
        AND EXISTS (SELECT 1 FROM webhooks w WHERE w.id = d.webhook_id AND w.status = 'active')
      ORDER BY d.webhook_id, d.status, d.next_attempt_at LIMIT @limit)
    RETURNING id`,
  claimed: `
    SELECT ${CONTEXT_COLUMNS}, ${HAS_ACCESS('e.conversation_id')} AS has_access
    FROM deliveries d
    JOIN events e ON e.id = d.event_id
    JOIN webhooks w ON w.id = d.webhook_id
    JOIN users u ON u.id = w.user_id
    WHERE d.id IN (SELECT value FROM json_each(?))
    ORDER BY d.next_attempt_at`,
  // One row per key, numbered by its place in the list (json_each's key); access per key's conversation.
  sendContexts: `
    SELECT k.key AS i, w.status, w.url, w.user_id, u.plan, w.secret_enc, w.previous_secret_enc,
      w.previous_secret_expires_at, ${HAS_ACCESS('(k.value ->> 1)', '0')} AS has_access
    FROM json_each(?) k
    JOIN webhooks w ON w.id = k.value ->> 0
    JOIN users u ON u.id = w.user_id`,
  succeeded: `
    UPDATE deliveries SET status = 'succeeded', status_reason = NULL, attempts = attempts + 1,
      locked_until = NULL, locked_by = NULL, updated_at = @now
    WHERE id IN (SELECT value FROM json_each(@ids)) AND locked_by = @workerId AND status = 'pending'
    RETURNING id`,
  retried: `
    UPDATE deliveries SET status = 'pending', status_reason = NULL, next_attempt_at = j.at,
      attempts = attempts + 1, locked_until = NULL, locked_by = NULL, updated_at = @now
    FROM (SELECT value ->> 0 AS id, value ->> 1 AS at FROM json_each(@rows)) j
    WHERE deliveries.id = j.id AND deliveries.locked_by = @workerId AND deliveries.status = 'pending'
    RETURNING deliveries.id`,
  failed: `
    UPDATE deliveries SET status = 'failed', status_reason = j.reason, next_attempt_at = @now,
      attempts = attempts + 1, locked_until = NULL, locked_by = NULL, updated_at = @now
    FROM (SELECT value ->> 0 AS id, value ->> 1 AS reason FROM json_each(@rows)) j
    WHERE deliveries.id = j.id AND deliveries.locked_by = @workerId AND deliveries.status = 'pending'
    RETURNING deliveries.id`,
  cancelled: `
    UPDATE deliveries SET status = 'cancelled', status_reason = j.reason,
      locked_until = NULL, locked_by = NULL, updated_at = @now
    FROM (SELECT value ->> 0 AS id, value ->> 1 AS reason FROM json_each(@rows)) j
    WHERE deliveries.id = j.id AND deliveries.locked_by = @workerId AND deliveries.status = 'pending'
    RETURNING deliveries.id`,
  forgetRetries: `
    UPDATE attempts SET next_retry_at = NULL
    WHERE delivery_id IN (SELECT value FROM json_each(?)) AND next_retry_at IS NOT NULL`,
  // One row per statement run (positional values): binding refuses a value no column can hold
  // (fault isolation).
  attempt: `
    INSERT INTO attempts (${ATTEMPT_COLUMNS.join(', ')})
    VALUES (${ATTEMPT_COLUMNS.map(() => '?').join(', ')})`,
  resetCounters: `
    UPDATE webhooks SET consecutive_failures = 0
    WHERE id IN (SELECT value FROM json_each(?)) AND consecutive_failures != 0`,
  readCounters: `
    SELECT id, status, consecutive_failures FROM webhooks WHERE id IN (SELECT value FROM json_each(?))`,
  writeCounters: `
    UPDATE webhooks SET consecutive_failures = j.count,
      status = CASE WHEN j.pause = 1 THEN 'auto_paused' ELSE webhooks.status END,
      status_reason = CASE WHEN j.pause = 1 THEN @reason ELSE webhooks.status_reason END,
      status_changed_at = CASE WHEN j.pause = 1 THEN @now ELSE webhooks.status_changed_at END,
      updated_at = CASE WHEN j.pause = 1 THEN @now ELSE webhooks.updated_at END
    FROM (SELECT value ->> 0 AS id, value ->> 1 AS count, value ->> 2 AS pause FROM json_each(@rows)) j
    WHERE webhooks.id = j.id`,
  stats: `
    INSERT INTO webhook_stats_hourly (${STATS_COLUMNS.join(', ')})
    SELECT ${STATS_COLUMNS.map((_, i) => `value ->> ${i}`).join(', ')}
    FROM json_each(?) WHERE true
    ON CONFLICT (webhook_id, hour) DO UPDATE SET
      ${STATS_COUNTER_COLUMNS.map((c) => `${c} = ${c} + excluded.${c}`).join(',\n      ')}`,
} as const;

export function createSqliteQueueStore(sqlite: SQLite.Database, db: Kysely<Database>): QueueStore {
  const st = preparedAtFirstUse(sqlite, SQL);
  const locked = lockedTransaction(sqlite, db);

  const ids = (rows: unknown[]): string[] => (rows as { id: string }[]).map((row) => row.id);

  function withContexts(claimed: string[], now: number): ClaimedDelivery[] {
    if (claimed.length === 0) return [];
    const rows = st().claimed.all(JSON.stringify(claimed)) as ContextRow[];
    return rows.map((row) => claimedFromRow(row, now));
  }

  /** Leases each webhook's earliest due deliveries (inside the caller's transaction). */
  function refillNow(request: RefillRequest): ClaimedDelivery[] {
    const claimed: string[] = [];
    for (const [webhookId, limit] of request.webhooks) {
      const rows = st().refill.all({
        webhookId,
        limit,
        after: request.after?.get(webhookId) ?? 0,
        now: request.now,
        until: request.now + request.leaseMs,
        workerId: request.workerId,
      });
      claimed.push(...ids(rows));
    }
    return withContexts(claimed, request.now);
  }

  function finish(results: Parameters<QueueStore['record']>[0], options: RecordOptions): Set<string> {
    const s = st();
    const classes = outcomeClasses(results, options.now);
    const base = { now: options.now, workerId: options.workerId };
    const kept = new Set<string>();
    const add = (rows: unknown[]) => {
      for (const id of ids(rows)) kept.add(id);
    };
    if (classes.succeeded.length) add(s.succeeded.all({ ...base, ids: JSON.stringify(classes.succeeded) }));
    if (classes.retried.length) add(s.retried.all({ ...base, rows: JSON.stringify(classes.retried) }));
    if (classes.failed.length) add(s.failed.all({ ...base, rows: JSON.stringify(classes.failed) }));
    if (classes.cancelled.length) add(s.cancelled.all({ ...base, rows: JSON.stringify(classes.cancelled) }));
    return kept;
  }

  return {
    claim: (request) =>
      locked(() => {
        const claimed = ids(
          st().scan.all({
            now: request.now,
            after: request.dueAfter ?? -1,
            excludeWebhooks: JSON.stringify(request.excludeWebhookIds),
            excludeOwners: JSON.stringify(request.excludeOwnerIds ?? []),
            scan: Math.min(request.limit * 4, 5000),
            perWebhook: request.perWebhook,
            perOwner: request.perOwner ?? request.limit,
            limit: request.limit,
            until: request.now + request.leaseMs,
            workerId: request.workerId,
          }),
        );
        return withContexts(claimed, request.now);
      }),

    refill: (request) => locked(() => refillNow(request)),

    async sendContexts(keys) {
      const list = JSON.stringify(keys.map((key) => [key.webhookId, key.conversationId]));
      const rows = await db
        .connection()
        .execute(async () => st().sendContexts.all(list) as (SendContextRow & { i: number })[]);
      return answersInOrder(keys.length, rows);
    },

    record: async (results, options, refill) => {
      if (results.length === 0 && !refill) return { recorded: 0, autoPaused: [], claimed: [] };
      return locked(() => {
        const s = st();
        const kept = finish(results, options);
        const fold = foldKept(results, kept);
        if (fold.cancelled.length) s.forgetRetries.run(JSON.stringify(fold.cancelled));
        for (const row of fold.attempts)
          s.attempt.run(ATTEMPT_COLUMNS.map((name) => attemptValue(row, name)));
        const resets = resetsOnly(fold.changes);
        if (resets.length) s.resetCounters.run(JSON.stringify(resets));
        const reads = needsRead(fold.changes);
        const autoPaused: string[] = [];
        if (reads.length) {
          const stored = s.readCounters.all(JSON.stringify(reads.map(([id]) => id))) as {
            id: string;
            status: string;
            consecutive_failures: number;
          }[];
          const updates = counterUpdates(reads, new Map(stored.map((row) => [row.id, row])), options);
          s.writeCounters.run({
            now: options.now,
            reason: options.autoPauseReason,
            rows: JSON.stringify(updates.map((u) => [u.id, u.count, u.pause ? 1 : 0])),
          });
          for (const u of updates) if (u.pause) autoPaused.push(u.id);
        }
        if (fold.stats.length) s.stats.run(JSON.stringify(fold.stats.map(statsValues)));
        // Last: a webhook these results auto-paused is no longer active and gets none.
        const claimed = refill ? refillNow(refill) : [];
        return { recorded: kept.size, autoPaused, claimed };
      });
    },
  };
}
