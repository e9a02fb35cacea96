// The delivery queue as the engine sees it: claiming due deliveries under a lease with what their
// sends need, recording results, and the send-time re-check (the dialect's queue store), plus lease
// renewal and release and worker heartbeats. Sweeping and pruning live in queue-sweeps.ts.
import { coalescedLookup } from '../coalesced-lookup.ts';
import type { DatabaseHandle } from '../connect.ts';
import type {
  ClaimedDelivery,
  ClaimRequest,
  ContextKey,
  QueueResult,
  RecordOptions,
  RecordSummary,
  RefillRequest,
  SendContext,
} from '../queue-store/types.ts';
import { createQueueSweeps } from './queue-sweeps.ts';

export type {
  AttemptResult,
  CancelResult,
  ClaimedDelivery,
  ClaimRequest,
  QueueResult,
  RecordOptions,
  RecordSummary,
  RefillRequest,
  SendContext,
} from '../queue-store/types.ts';

const CHUNK = 500;

function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** One string per webhook and conversation, for the coalesced re-check. */
const contextKey = (webhookId: string, conversationId: string | null) =>
  JSON.stringify([webhookId, conversationId]);

function fromContextKey(key: string): ContextKey {
  const [webhookId, conversationId] = JSON.parse(key) as [string, string | null];
  return { webhookId, conversationId };
}

export function createQueueRepo(database: DatabaseHandle) {
  const { db, dialect, queueStore: store } = database;
  const sendContext = coalescedLookup(async (keys: string[]) => {
    const answers = await store.sendContexts(keys.map(fromContextKey));
    const found = new Map<string, SendContext>();
    keys.forEach((key, i) => {
      const answer = answers[i];
      if (answer) found.set(key, answer);
    });
    return found;
  });

  return {
    ...createQueueSweeps(db, dialect),

    /** Writes a batch of results (and leases `refill`) in one transaction; see QueueStore.record. */
    record: (
      results: readonly QueueResult[],
      options: RecordOptions,
      refill?: RefillRequest,
    ): Promise<RecordSummary> => store.record(results, options, refill),

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

    /** Leases due deliveries to a worker in due order, with their event, webhook and owner. */
    claim: (request: ClaimRequest): Promise<ClaimedDelivery[]> => store.claim(request),

    /** Leases the earliest due deliveries of the given webhooks (a per-webhook refill). */
    refill: (request: RefillRequest): Promise<ClaimedDelivery[]> => store.refill(request),

    /**
     * The webhook and its owner right now, and whether the owner can see the conversation (true when
     * `conversationId` is null); undefined when the webhook is gone. The re-checks asked for in one
     * turn of the event loop are one query.
     */
    sendContext: (webhookId: string, conversationId: string | null): Promise<SendContext | undefined> =>
      sendContext(contextKey(webhookId, conversationId)),

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
