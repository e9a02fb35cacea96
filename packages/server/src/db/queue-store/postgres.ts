// The queue's hot statements on PostgreSQL: named prepared statements with fixed text (lists as one
// array parameter, = ANY($n) / unnest); a claim is one round trip (UPDATE … RETURNING joined to
// what a send needs), a record one transaction of set-based statements on one pooled connection.
import type pg from 'pg';
import { inPgTransaction } from '../pg-transaction.ts';
import { STATS_COLUMNS, STATS_COUNTER_COLUMNS, type StatsColumn } from '../stats-columns.ts';
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
import { counterUpdates, foldKept, needsRead, outcomeClasses, statsValues } from './fold.ts';
import type {
  ClaimedDelivery,
  QueueResult,
  QueueStore,
  RecordOptions,
  RecordSummary,
  RefillRequest,
} from './types.ts';

/** The claimed rows (`claimed`) joined to their event, webhook, owner and access, in due order. */
const WITH_CONTEXT = `
  SELECT ${CONTEXT_COLUMNS}, ${HAS_ACCESS('e.conversation_id')} AS has_access
  FROM claimed d
  JOIN events e ON e.id = d.event_id
  JOIN webhooks w ON w.id = d.webhook_id
  JOIN users u ON u.id = w.user_id
  ORDER BY d.next_attempt_at`;
const CLAIMED_COLUMNS = 'id, event_id, webhook_id, attempts, test, next_attempt_at';

/** Array types of the attempts insert's parameters, by column. */
const ATTEMPT_ARRAY_TYPES: Record<(typeof ATTEMPT_COLUMNS)[number], string> = {
  id: 'text[]',
  delivery_id: 'text[]',
  webhook_id: 'text[]',
  event_id: 'text[]',
  event_type: 'text[]',
  attempt: 'int[]',
  test: 'int[]',
  outcome: 'text[]',
  error: 'text[]',
  error_message: 'text[]',
  response_status: 'int[]',
  duration_ms: 'int[]',
  request_headers: 'text[]',
  request_signature: 'text[]',
  response_headers: 'text[]',
  response_body: 'text[]',
  response_body_encoding: 'text[]',
  response_truncated: 'int[]',
  next_retry_at: 'bigint[]',
  created_at: 'bigint[]',
};

/** Array types of the hourly upsert's parameters other than int. */
const STATS_COLUMN_TYPES: Partial<Record<StatsColumn, string>> = {
  webhook_id: 'text',
  hour: 'bigint',
  response_ms_sum: 'bigint',
};

/** Stats shards (0 = webhook_stats_hourly): more than the record transactions that run at once. */
export const STATS_SHARDS = 16;
/** First key of the shards' advisory locks ('kl' 'st'); the second is the shard. */
const STATS_SHARD_LOCK = 0x6b6c7374;

/**
 * Scans of all workers take turns (a transaction-scoped advisory lock, taken once per scan): a scan
 * locks up to 4 × its limit of candidates to rank them, and a concurrent scan would skip every one
 * of them and come back short although work is due. Waiting its turn, it re-reads the rows the other
 * scan leased (READ COMMITTED re-checks them) and takes the next ones. Refills do not take it.
 */
const SCAN_LOCK = '1802269539, 1935892846'; // 'klsc', 'scan'

/** The statements by name (exported for the plan tests). */
export const SQL = {
  scan: `
    WITH candidates AS (
      SELECT d.id, d.webhook_id, w.user_id, d.next_attempt_at
      FROM deliveries d JOIN webhooks w ON w.id = d.webhook_id
      WHERE d.status = 'pending' AND d.next_attempt_at <= $1 AND d.next_attempt_at > $2
        AND (d.locked_until IS NULL OR d.locked_until < $1)
        AND w.status = 'active'
        AND NOT (d.webhook_id = ANY($3::text[])) AND NOT (w.user_id = ANY($4::text[]))
        AND (SELECT pg_advisory_xact_lock(${SCAN_LOCK})) IS NOT NULL
      ORDER BY d.next_attempt_at
      LIMIT $5 FOR UPDATE OF d SKIP LOCKED
    ), ${CLAIM_RANKING('$6', '$7', '$8')},
    claimed AS (
      UPDATE deliveries SET locked_until = $9, locked_by = $10
      WHERE id = ANY(ARRAY(SELECT id FROM chosen))
      RETURNING ${CLAIMED_COLUMNS}
    ) ${WITH_CONTEXT}`,
  // One LIMIT per webhook on deliveries_webhook_status_due; `status = 'pending'` as row comparisons
  // bounds that index exactly (see docs/performance.md).
  refill: `
    WITH picked AS (
      SELECT x.id FROM unnest($1::text[], $2::int[], $6::bigint[]) AS t(webhook_id, n, after)
      CROSS JOIN LATERAL (
        SELECT d.id FROM deliveries d
        WHERE d.webhook_id = t.webhook_id
          AND (d.status, d.next_attempt_at) >= ('pending', t.after)
          AND (d.status, d.next_attempt_at) <= ('pending', $3::bigint)
          AND (d.locked_until IS NULL OR d.locked_until < $3)
          AND EXISTS (SELECT 1 FROM webhooks w WHERE w.id = d.webhook_id AND w.status = 'active')
        ORDER BY d.webhook_id, d.status, d.next_attempt_at LIMIT t.n FOR UPDATE SKIP LOCKED
      ) x
    ),
    claimed AS (
      UPDATE deliveries SET locked_until = $4, locked_by = $5
      WHERE id = ANY(ARRAY(SELECT id FROM picked))
      RETURNING ${CLAIMED_COLUMNS}
    ) ${WITH_CONTEXT}`,
  // One row per key, numbered by its place in the arrays; access per key's conversation.
  sendContexts: `
    SELECT k.i, w.status, w.url, w.user_id, u.plan, w.secret_enc, w.previous_secret_enc,
      w.previous_secret_expires_at, ${HAS_ACCESS('k.conversation_id', '0')} AS has_access
    FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS k(webhook_id, conversation_id, i)
    JOIN webhooks w ON w.id = k.webhook_id
    JOIN users u ON u.id = w.user_id`,
  succeeded: `
    UPDATE deliveries SET status = 'succeeded', status_reason = NULL, attempts = attempts + 1,
      locked_until = NULL, locked_by = NULL, updated_at = $1
    WHERE id = ANY($2::text[]) AND locked_by = $3 AND status = 'pending'
    RETURNING id`,
  retried: `
    UPDATE deliveries d SET status = 'pending', status_reason = NULL, next_attempt_at = j.at,
      attempts = d.attempts + 1, locked_until = NULL, locked_by = NULL, updated_at = $1
    FROM unnest($2::text[], $3::bigint[]) AS j(id, at)
    WHERE d.id = j.id AND d.locked_by = $4 AND d.status = 'pending'
    RETURNING d.id`,
  failed: `
    UPDATE deliveries d SET status = 'failed', status_reason = j.reason, next_attempt_at = $1,
      attempts = d.attempts + 1, locked_until = NULL, locked_by = NULL, updated_at = $1
    FROM unnest($2::text[], $3::text[]) AS j(id, reason)
    WHERE d.id = j.id AND d.locked_by = $4 AND d.status = 'pending'
    RETURNING d.id`,
  cancelled: `
    UPDATE deliveries d SET status = 'cancelled', status_reason = j.reason,
      locked_until = NULL, locked_by = NULL, updated_at = $1
    FROM unnest($2::text[], $3::text[]) AS j(id, reason)
    WHERE d.id = j.id AND d.locked_by = $4 AND d.status = 'pending'
    RETURNING d.id`,
  forgetRetries: `
    UPDATE attempts SET next_retry_at = NULL
    WHERE delivery_id = ANY($1::text[]) AND next_retry_at IS NOT NULL`,
  attempts: `
    INSERT INTO attempts (${ATTEMPT_COLUMNS.join(', ')})
    SELECT * FROM unnest(${ATTEMPT_COLUMNS.map((name, i) => `$${i + 1}::${ATTEMPT_ARRAY_TYPES[name]}`).join(', ')})`,
  // The webhook rows whose counter changes — those with failures in the batch, and those with only
  // successes whose counter is not 0 already — locked in id order in one statement: two batches
  // never wait on each other crosswise. NO KEY UPDATE leaves the other worker's attempt inserts
  // (their foreign-key checks take KEY SHARE on the same rows) free to go on.
  lockCounters: `
    SELECT id, status, consecutive_failures FROM webhooks
    WHERE id = ANY($1::text[]) AND (id = ANY($2::text[]) OR consecutive_failures != 0)
    ORDER BY id FOR NO KEY UPDATE`,
  writeCounters: `
    UPDATE webhooks w SET consecutive_failures = j.count,
      status = CASE WHEN j.pause THEN 'auto_paused' ELSE w.status END,
      status_reason = CASE WHEN j.pause THEN $4 ELSE w.status_reason END,
      status_changed_at = CASE WHEN j.pause THEN $5 ELSE w.status_changed_at END,
      updated_at = CASE WHEN j.pause THEN $5 ELSE w.updated_at END
    FROM unnest($1::text[], $2::int[], $3::bool[]) AS j(id, count, pause)
    WHERE w.id = j.id`,
  // Adds the batch to the hourly rows of a shard no concurrent record holds, so two workers recording
  // for the same webhook and hour never wait on each other's stats rows: a transaction-scoped
  // advisory lock per shard, taken without waiting (shard 0 once all are held). Shard 0 is
  // webhook_stats_hourly itself (as every earlier version writes it), shards 1… its _shards table.
  stats: `
    WITH slot AS (
      SELECT coalesce((
        SELECT n FROM generate_series(0, ${STATS_SHARDS - 1}) AS n
        WHERE pg_try_advisory_xact_lock(${STATS_SHARD_LOCK}, n) LIMIT 1
      ), 0) AS shard
    ), batch AS (
      SELECT * FROM unnest(${STATS_COLUMNS.map((c, i) => `$${i + 1}::${STATS_COLUMN_TYPES[c] ?? 'int'}[]`).join(', ')})
        AS u(${STATS_COLUMNS.join(', ')})
    ), main AS (
      INSERT INTO webhook_stats_hourly AS s (${STATS_COLUMNS.join(', ')})
      SELECT batch.* FROM batch, slot WHERE slot.shard = 0
      ON CONFLICT (webhook_id, hour) DO UPDATE SET
        ${STATS_COUNTER_COLUMNS.map((c) => `${c} = s.${c} + excluded.${c}`).join(',\n        ')}
    )
    INSERT INTO webhook_stats_hourly_shards AS s (shard, ${STATS_COLUMNS.join(', ')})
    SELECT slot.shard, batch.* FROM batch, slot WHERE slot.shard > 0
    ON CONFLICT (webhook_id, hour, shard) DO UPDATE SET
      ${STATS_COUNTER_COLUMNS.map((c) => `${c} = s.${c} + excluded.${c}`).join(',\n      ')}`,
} as const;

type Name = keyof typeof SQL;
type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

const run = <R extends pg.QueryResultRow = Record<string, unknown>>(
  on: Queryable,
  name: Name,
  values: unknown[],
) => on.query<R>({ name: `klang_queue_${name}`, text: SQL[name], values });

export interface PostgresQueueStoreOptions {
  /** Called with the number of rows each claim leased (first ANALYZE of a fresh database). */
  afterClaim?: (leased: number) => Promise<void>;
}

export function createPostgresQueueStore(
  pool: pg.Pool,
  storeOptions: PostgresQueueStoreOptions = {},
): QueueStore {
  async function claimed(
    on: pg.Pool | pg.PoolClient,
    name: 'scan' | 'refill',
    values: unknown[],
    now: number,
  ) {
    const { rows } = await run<ContextRow>(on, name, values);
    // Outside a transaction: its first ANALYZE must not hold the transaction's row locks open.
    if (on === pool) await storeOptions.afterClaim?.(rows.length);
    return rows.map((row) => claimedFromRow(row, now));
  }

  function refillOn(on: pg.Pool | pg.PoolClient, request: RefillRequest): Promise<ClaimedDelivery[]> {
    if (request.webhooks.size === 0) return Promise.resolve([]);
    const webhookIds = [...request.webhooks.keys()];
    const values = [
      webhookIds,
      [...request.webhooks.values()],
      request.now,
      request.now + request.leaseMs,
      request.workerId,
      webhookIds.map((id) => request.after?.get(id) ?? 0),
    ];
    return claimed(on, 'refill', values, request.now);
  }

  async function finish(client: pg.PoolClient, results: readonly QueueResult[], options: RecordOptions) {
    const c = outcomeClasses(results, options.now);
    const kept = new Set<string>();
    const add = ({ rows }: { rows: { id: string }[] }) => {
      for (const row of rows) kept.add(row.id);
    };
    const { now, workerId } = options;
    const column = <T>(rows: T[][], i: number) => rows.map((row) => row[i]);
    if (c.succeeded.length) add(await run(client, 'succeeded', [now, c.succeeded, workerId]));
    if (c.retried.length)
      add(await run(client, 'retried', [now, column(c.retried, 0), column(c.retried, 1), workerId]));
    if (c.failed.length)
      add(await run(client, 'failed', [now, column(c.failed, 0), column(c.failed, 1), workerId]));
    if (c.cancelled.length)
      add(await run(client, 'cancelled', [now, column(c.cancelled, 0), column(c.cancelled, 1), workerId]));
    return kept;
  }

  async function writeKept(
    client: pg.PoolClient,
    results: readonly QueueResult[],
    kept: Set<string>,
    options: RecordOptions,
  ): Promise<string[]> {
    const fold = foldKept(results, kept);
    if (fold.cancelled.length) await run(client, 'forgetRetries', [fold.cancelled]);
    if (fold.attempts.length) {
      const columns = ATTEMPT_COLUMNS.map((name) => fold.attempts.map((row) => attemptValue(row, name)));
      await run(client, 'attempts', columns);
    }
    if (fold.stats.length) {
      const rows = fold.stats.map(statsValues);
      await run(
        client,
        'stats',
        STATS_COLUMNS.map((_, i) => rows.map((row) => row[i])),
      );
    }
    // Last, so the webhook rows stay locked only for this and the commit.
    const autoPaused: string[] = [];
    if (fold.changes.length) {
      const { rows } = await run<{ id: string; status: string; consecutive_failures: number }>(
        client,
        'lockCounters',
        [fold.changes.map(([id]) => id), needsRead(fold.changes).map(([id]) => id)],
      );
      if (rows.length) {
        const updates = counterUpdates(fold.changes, new Map(rows.map((row) => [row.id, row])), options);
        await run(client, 'writeCounters', [
          updates.map((u) => u.id),
          updates.map((u) => u.count),
          updates.map((u) => u.pause),
          options.autoPauseReason,
          options.now,
        ]);
        for (const u of updates) if (u.pause) autoPaused.push(u.id);
      }
    }
    return autoPaused;
  }

  return {
    claim: (request) =>
      claimed(
        pool,
        'scan',
        [
          request.now,
          request.dueAfter ?? -1,
          request.excludeWebhookIds,
          request.excludeOwnerIds ?? [],
          Math.min(request.limit * 4, 5000),
          request.perWebhook,
          request.perOwner ?? request.limit,
          request.limit,
          request.now + request.leaseMs,
          request.workerId,
        ],
        request.now,
      ),

    refill: (request) => refillOn(pool, request),

    async sendContexts(keys) {
      const { rows } = await run<SendContextRow & { i: string }>(pool, 'sendContexts', [
        keys.map((key) => key.webhookId),
        keys.map((key) => key.conversationId),
      ]);
      // WITH ORDINALITY counts from 1.
      return answersInOrder(
        keys.length,
        rows.map((row) => ({ ...row, i: Number(row.i) - 1 })),
      );
    },

    async record(results, options, refill): Promise<RecordSummary> {
      if (results.length === 0 && !refill) return { recorded: 0, autoPaused: [], claimed: [] };
      const summary = await inPgTransaction(pool, async (client) => {
        const kept = await finish(client, results, options);
        const autoPaused = await writeKept(client, results, kept, options);
        // Last: a webhook these results auto-paused is no longer active and gets none.
        const leased = refill ? await refillOn(client, refill) : [];
        return { recorded: kept.size, autoPaused, claimed: leased };
      });
      if (refill) await storeOptions.afterClaim?.(summary.claimed.length);
      return summary;
    },
  };
}
