// The delivery queue as the engine sees it: claiming due deliveries under a lease (SKIP LOCKED on
// PostgreSQL), the send-time context, lease renewal and release, and worker heartbeats.
// Recording results lives in queue-results.ts; sweeping and pruning in queue-sweeps.ts.
import type { Kysely } from 'kysely';
import type { DatabaseHandle } from '../connect.ts';
import type { Database } from '../tables.ts';
import { usersWithAccess } from './conversations-repo.ts';
import { type ClaimRequest, claimIds, type RefillRequest, refillIds } from './queue-claim.ts';
import { type QueueResult, type RecordOptions, recordResults } from './queue-results.ts';
import { createFirstAnalyze, createQueueSweeps } from './queue-sweeps.ts';

export type { ClaimRequest, QueueResult, RecordOptions, RefillRequest };

export interface ClaimedDelivery {
  id: string;
  eventId: string;
  webhookId: string;
  /** The webhook's owner (fairness between tenants is per owner). */
  ownerId: string;
  /** Attempts completed before this one. */
  attempts: number;
  test: boolean;
  eventType: string;
  conversationId: string | null;
  payload: string;
}

/** What dispatch needs to know about a webhook right before sending. */
export interface SendContext {
  status: 'active' | 'paused' | 'auto_paused' | 'listening';
  url: string;
  userId: string;
  plan: 'free' | 'pro' | 'team';
  /** The owner can see the event's conversation (always true without a conversation). */
  hasAccess: boolean;
  secretEnc: string;
  previousSecretEnc: string | null;
  previousSecretExpiresAt: number | null;
}

const CHUNK = 500;

function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The claimed deliveries with their event, in due order. */
async function withEvents(db: Kysely<Database>, ids: readonly string[]): Promise<ClaimedDelivery[]> {
  const claimed: ClaimedDelivery[] = [];
  for (const part of chunks(ids)) {
    const rows = await db
      .selectFrom('deliveries as d')
      .innerJoin('events as e', 'e.id', 'd.event_id')
      .innerJoin('webhooks as w', 'w.id', 'd.webhook_id')
      .select([
        'w.user_id',
        'd.id',
        'd.event_id',
        'd.webhook_id',
        'd.attempts',
        'd.test',
        'e.type',
        'e.conversation_id',
        'e.payload',
      ])
      .where('d.id', 'in', part)
      .orderBy('d.next_attempt_at')
      .execute();
    for (const row of rows) {
      claimed.push({
        id: row.id,
        eventId: row.event_id,
        webhookId: row.webhook_id,
        ownerId: row.user_id,
        attempts: Number(row.attempts),
        test: Number(row.test) === 1,
        eventType: row.type,
        conversationId: row.conversation_id,
        payload: row.payload,
      });
    }
  }
  return claimed;
}

export function createQueueRepo(database: DatabaseHandle) {
  const { db, dialect } = database;
  const statistics = createFirstAnalyze(db);

  return {
    ...createQueueSweeps(db),

    /** Writes a batch of results in one transaction (see queue-results.ts). */
    record: (results: readonly QueueResult[], options: RecordOptions) =>
      recordResults(db, dialect, results, options),

    /**
     * Run when a worker starts. SQLite has one worker per database file, so every lease left behind
     * is a dead process's and is released at once; on PostgreSQL only expired leases are.
     */
    async recoverAtStart(now: number): Promise<number> {
      const result = await db
        .updateTable('deliveries')
        .set({ locked_until: null, locked_by: null })
        .where('status', '=', 'pending')
        .where('locked_until', 'is not', null)
        .$if(dialect === 'postgres', (qb) => qb.where('locked_until', '<', now))
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },

    /** Leases due deliveries to a worker in due order; returns them with their event. */
    async claim(request: ClaimRequest): Promise<ClaimedDelivery[]> {
      const ids =
        dialect === 'postgres'
          ? await claimIds(db, dialect, request)
          : await db.transaction().execute((trx) => claimIds(trx, dialect, request));
      if (dialect === 'postgres') await statistics.afterClaim(ids.length);
      return withEvents(db, ids);
    },

    /** Leases the earliest due deliveries of the given webhooks (a per-webhook refill). */
    async refill(request: RefillRequest): Promise<ClaimedDelivery[]> {
      const ids =
        dialect === 'postgres'
          ? await refillIds(db, dialect, request)
          : await db.transaction().execute((trx) => refillIds(trx, dialect, request));
      if (dialect === 'postgres') await statistics.afterClaim(ids.length);
      return withEvents(db, ids);
    },

    /**
     * The webhook and its owner right now, and whether the owner can see the conversation (true when
     * `conversationId` is null); undefined when the webhook is gone. One query.
     */
    async sendContext(webhookId: string, conversationId: string | null): Promise<SendContext | undefined> {
      const row = await db
        .selectFrom('webhooks as w')
        .innerJoin('users as u', 'u.id', 'w.user_id')
        .select([
          'w.status',
          'w.url',
          'w.user_id',
          'u.plan',
          'w.secret_enc',
          'w.previous_secret_enc',
          'w.previous_secret_expires_at',
        ])
        .$if(conversationId !== null, (qb) =>
          qb.select((eb) =>
            eb
              .exists(
                eb
                  .selectFrom(usersWithAccess(db, conversationId!).as('a'))
                  .select('a.user_id')
                  .whereRef('a.user_id', '=', 'w.user_id'),
              )
              .as('has_access'),
          ),
        )
        .where('w.id', '=', webhookId)
        .executeTakeFirst();
      if (!row) return undefined;
      const access = (row as { has_access?: unknown }).has_access;
      return {
        status: row.status,
        url: row.url,
        userId: row.user_id,
        plan: row.plan,
        hasAccess: conversationId === null || access === true || Number(access) === 1,
        secretEnc: row.secret_enc,
        previousSecretEnc: row.previous_secret_enc,
        previousSecretExpiresAt:
          row.previous_secret_expires_at === null ? null : Number(row.previous_secret_expires_at),
      };
    },

    /** Extends the leases this worker still holds. */
    async renewLeases(ids: readonly string[], workerId: string, until: number): Promise<void> {
      for (const part of chunks(ids)) {
        await db
          .updateTable('deliveries')
          .set({ locked_until: until })
          .where('id', 'in', part)
          .where('locked_by', '=', workerId)
          .execute();
      }
    },

    /** Gives deliveries back to the queue unchanged (no attempt counted). */
    async release(ids: readonly string[], workerId: string): Promise<void> {
      for (const part of chunks(ids)) {
        await db
          .updateTable('deliveries')
          .set({ locked_until: null, locked_by: null })
          .where('id', 'in', part)
          .where('locked_by', '=', workerId)
          .execute();
      }
    },

    /** The earliest due time after `after` of a pending delivery of an active webhook, if any. */
    async nextDueAt(after: number): Promise<number | undefined> {
      // ORDER BY … LIMIT 1 walks deliveries_due from `after` and stops at the first active webhook's
      // row; min() over the join reads every later pending row on PostgreSQL.
      const row = await db
        .selectFrom('deliveries as d')
        .innerJoin('webhooks as w', 'w.id', 'd.webhook_id')
        .select('d.next_attempt_at as at')
        .where('d.status', '=', 'pending')
        .where('d.next_attempt_at', '>', after)
        .where('w.status', '=', 'active')
        .orderBy('d.next_attempt_at')
        .limit(1)
        .executeTakeFirst();
      return row?.at == null ? undefined : Number(row.at);
    },

    /** Records that a worker process is alive (for /readyz). */
    async heartbeat(workerId: string, role: string, startedAt: number, now: number): Promise<void> {
      await db
        .insertInto('workers')
        .values({ id: workerId, role, started_at: startedAt, heartbeat_at: now })
        .onConflict((oc) => oc.column('id').doUpdateSet({ heartbeat_at: now }))
        .execute();
    },

    async removeWorker(workerId: string): Promise<void> {
      await db.deleteFrom('workers').where('id', '=', workerId).execute();
    },
  };
}

export type QueueRepo = ReturnType<typeof createQueueRepo>;
