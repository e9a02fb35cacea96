// The claim statements: lease due deliveries to a worker, either by a scan in due order (skipping the
// webhooks and owners it is saturated on, at most so many per webhook and per owner) or per webhook
// through deliveries_webhook_status_due (a refill).
import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../connect.ts';
import type { Database } from '../tables.ts';

export interface ClaimRequest {
  workerId: string;
  now: number;
  leaseMs: number;
  limit: number;
  /** At most this many deliveries of one webhook per claim. */
  perWebhook: number;
  /** At most this many deliveries of one owner's webhooks together per claim. */
  perOwner?: number;
  /** Webhooks this worker has no room for right now. */
  excludeWebhookIds: readonly string[];
  /** Owners this worker holds enough for right now. */
  excludeOwnerIds?: readonly string[];
  /**
   * Only deliveries due after this time: a scan that follows one which took everything due of the
   * webhooks it did not exclude (the excluded ones are refilled per webhook).
   */
  dueAfter?: number;
}

export interface RefillRequest {
  workerId: string;
  now: number;
  leaseMs: number;
  /** Webhook id → how many of its due deliveries to claim at most. */
  webhooks: ReadonlyMap<string, number>;
}

/** The candidate rows: due, pending, not leased, webhook active, in due order. */
function candidates(request: ClaimRequest, dialect: Dialect) {
  const exclude =
    request.excludeWebhookIds.length > 0
      ? sql`AND d.webhook_id NOT IN (${sql.join(request.excludeWebhookIds)})`
      : sql``;
  const owners = request.excludeOwnerIds ?? [];
  const excludeOwners = owners.length > 0 ? sql`AND w.user_id NOT IN (${sql.join(owners)})` : sql``;
  const after = request.dueAfter === undefined ? sql`` : sql`AND d.next_attempt_at > ${request.dueAfter}`;
  const scan = Math.min(request.limit * 4, 5000);
  const lock = dialect === 'postgres' ? sql`FOR UPDATE OF d SKIP LOCKED` : sql``;
  return sql`
    SELECT d.id, d.webhook_id, w.user_id, d.next_attempt_at
    FROM deliveries d JOIN webhooks w ON w.id = d.webhook_id
    WHERE d.status = 'pending' AND d.next_attempt_at <= ${request.now} ${after}
      AND (d.locked_until IS NULL OR d.locked_until < ${request.now})
      AND w.status = 'active' ${exclude} ${excludeOwners}
    ORDER BY d.next_attempt_at
    LIMIT ${scan} ${lock}`;
}

/**
 * Leases up to `limit` due deliveries, at most `perWebhook` per webhook and `perOwner` per owner;
 * returns their ids.
 */
export async function claimIds(db: Kysely<Database>, dialect: Dialect, request: ClaimRequest) {
  const until = request.now + request.leaseMs;
  const query = sql<{ id: string }>`
    WITH candidates AS (${candidates(request, dialect)}),
    ranked AS (
      SELECT id, user_id, next_attempt_at,
        row_number() OVER (PARTITION BY webhook_id ORDER BY next_attempt_at, id) AS rn
      FROM candidates
    ),
    per_owner AS (
      SELECT id, next_attempt_at,
        row_number() OVER (PARTITION BY user_id ORDER BY next_attempt_at, id) AS orn
      FROM ranked WHERE rn <= ${request.perWebhook}
    ),
    chosen AS (
      SELECT id FROM per_owner WHERE orn <= ${request.perOwner ?? request.limit}
      ORDER BY next_attempt_at, id LIMIT ${request.limit}
    )
    UPDATE deliveries SET locked_until = ${until}, locked_by = ${request.workerId}
    WHERE id IN (SELECT id FROM chosen)
    RETURNING id`;
  const result = await query.execute(db);
  return result.rows.map((row) => row.id);
}

/**
 * Leases the earliest due deliveries of each given webhook (if it is active): one LIMIT per webhook
 * on deliveries_webhook_status_due, so the cost follows what is returned, not any backlog.
 * `status = 'pending'` is written as row comparisons (same rows): they bound that index exactly,
 * and do not imply the predicate of deliveries_due, which PostgreSQL would otherwise walk in due
 * order past every other webhook's rows when it sees only a few webhooks in its statistics.
 */
export async function refillIds(db: Kysely<Database>, dialect: Dialect, request: RefillRequest) {
  const until = request.now + request.leaseMs;
  const lock = dialect === 'postgres' ? sql`FOR UPDATE SKIP LOCKED` : sql``;
  const parts = [...request.webhooks].map(
    ([webhookId, limit], i) => sql`
      SELECT id FROM (
        SELECT d.id FROM deliveries d
        WHERE d.webhook_id = ${webhookId}
          AND (d.status, d.next_attempt_at) >= ('pending', 0)
          AND (d.status, d.next_attempt_at) <= ('pending', ${request.now})
          AND (d.locked_until IS NULL OR d.locked_until < ${request.now})
          AND EXISTS (SELECT 1 FROM webhooks w WHERE w.id = d.webhook_id AND w.status = 'active')
        ORDER BY d.webhook_id, d.status, d.next_attempt_at LIMIT ${limit} ${lock}
      ) ${sql.raw(`r${i}`)}`,
  );
  if (parts.length === 0) return [];
  const query = sql<{ id: string }>`
    UPDATE deliveries SET locked_until = ${until}, locked_by = ${request.workerId}
    WHERE id IN (${sql.join(parts, sql` UNION ALL `)})
    RETURNING id`;
  const result = await query.execute(db);
  return result.rows.map((row) => row.id);
}
