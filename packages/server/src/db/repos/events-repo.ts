// Event intake: the event row, its idempotency key and one delivery row per eligible webhook,
// all in one transaction — the delivery rows are the queue. Concurrent publishes share commits.
import type { Kysely, Transaction } from 'kysely';
import { newId } from '../../domain/ids.ts';
import { receivesEvents, type StoredWebhookStatus } from '../../domain/webhook-status.ts';
import type { Dialect } from '../dialect.ts';
import { createGroupCommit } from '../group-commit.ts';
import type { IntakeStore } from '../intake-store/types.ts';
import type { Database, DeliveriesTable, EventRow } from '../tables.ts';
import { usersWithAccess } from './conversations-repo.ts';
import { type BatchPublished, createdResult, createEventBatcher } from './event-batch.ts';
import type { Idempotency, NewEvent, PublishResult } from './event-types.ts';
import { intakeStatements } from './intake-statements.ts';
import { type ManyItem, publishMany } from './publish-many.ts';

export type { Idempotency, NewEvent, PublishResult } from './event-types.ts';

const INSERT_CHUNK = 500;

async function insertDeliveries(trx: Transaction<Database>, rows: DeliveriesTable[]): Promise<void> {
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
    await trx
      .insertInto('deliveries')
      .values(rows.slice(i, i + INSERT_CHUNK))
      .execute();
  }
}

function insertEvent(trx: Transaction<Database>, event: NewEvent) {
  return trx
    .insertInto('events')
    .values({
      id: event.id,
      type: event.type,
      conversation_id: event.conversationId,
      payload: event.payload,
      test: event.test ? 1 : 0,
      created_at: event.createdAt,
    })
    .execute();
}

/** A new delivery of one event to one webhook, due at `now` (missed: its webhook was paused). */
export function deliveryRow(
  eventId: string,
  webhookId: string,
  status: 'pending' | 'missed',
  test: boolean,
  now: number,
): DeliveriesTable {
  return {
    id: newId.delivery(),
    event_id: eventId,
    webhook_id: webhookId,
    status,
    status_reason: status === 'missed' ? 'webhook_paused' : null,
    test: test ? 1 : 0,
    attempts: 0,
    next_attempt_at: now,
    locked_until: null,
    locked_by: null,
    created_at: now,
    updated_at: now,
  };
}

export function createEventsRepo(db: Kysely<Database>, dialect: Dialect, intake: IntakeStore) {
  const groupCommit = createGroupCommit(db, dialect);
  const writer = { statements: intakeStatements(dialect), deliveryRow };
  /**
   * On PostgreSQL the webhooks a delivery is written for are locked FOR KEY SHARE until commit, in
   * place of the foreign key it no longer has (see intake-statements.ts).
   */
  const lockWebhooks = dialect === 'postgres';
  async function countDeliveries(executor: Kysely<Database>, eventId: string) {
    const rows = await executor
      .selectFrom('deliveries')
      .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
      .where('event_id', '=', eventId)
      .groupBy('status')
      .execute();
    const missed = Number(rows.find((r) => r.status === 'missed')?.n ?? 0);
    const total = rows.reduce((sum, r) => sum + Number(r.n), 0);
    return { deliveries: total - missed, missed };
  }

  /** Claims the idempotency key inside the transaction; concurrent holders of the same key wait here. */
  async function claimKey(
    trx: Transaction<Database>,
    idempotency: Idempotency,
    eventId: string,
    now: number,
  ) {
    const inserted = await trx
      .insertInto('idempotency_keys')
      .values({
        key: idempotency.key,
        request_hash: idempotency.requestHash,
        event_id: eventId,
        created_at: now,
      })
      .onConflict((oc) => oc.column('key').doNothing())
      .returning('key')
      .executeTakeFirst();
    if (inserted) return undefined;
    return trx
      .selectFrom('idempotency_keys')
      .selectAll()
      .where('key', '=', idempotency.key)
      .executeTakeFirstOrThrow();
  }

  /** The whole publish of one event inside `trx`. */
  async function publishIn(
    trx: Transaction<Database>,
    event: NewEvent,
    idempotency?: Idempotency,
  ): Promise<PublishResult> {
    if (idempotency) {
      const existing = await claimKey(trx, idempotency, event.id, event.createdAt);
      if (existing) {
        if (existing.request_hash !== idempotency.requestHash)
          return { kind: 'conflict', eventId: existing.event_id };
        return {
          kind: 'replayed',
          eventId: existing.event_id,
          ...(await countDeliveries(trx, existing.event_id)),
        };
      }
    }
    await insertEvent(trx, event);
    const candidates = event.conversationId
      ? await trx
          .selectFrom('webhooks as w')
          .innerJoin('users as u', 'u.id', 'w.user_id')
          .select(['w.id', 'w.status', 'w.events'])
          .where('u.plan', 'in', ['pro', 'team'])
          .where('w.user_id', 'in', usersWithAccess(trx, event.conversationId))
          .$if(lockWebhooks, (query) => query.forKeyShare('w'))
          .execute()
      : [];
    const rows = candidates
      .filter((w) => (JSON.parse(w.events) as string[]).includes(event.type))
      .map((w) =>
        deliveryRow(
          event.id,
          w.id,
          receivesEvents(w.status as StoredWebhookStatus) ? 'pending' : 'missed',
          false,
          event.createdAt,
        ),
      );
    await insertDeliveries(trx, rows);
    return createdResult(event.id, rows);
  }

  const batcher = createEventBatcher({
    write: (events) => intake.writeGroup(events, deliveryRow),
    lanes: dialect === 'postgres' ? 3 : 1,
    alone: async (event) =>
      (await db.transaction().execute((trx) => publishIn(trx, { ...event, test: false }))) as BatchPublished,
  });

  return {
    /**
     * Stores a host event and fans it out to every eligible webhook: owner has access to the
     * conversation, owner on pro/team, subscribed to the type; active → pending, paused → missed.
     */
    async publish(event: NewEvent, idempotency?: Idempotency): Promise<PublishResult> {
      // Without a key, an event is stored with the others of its turn, set-based (event-batch.ts).
      if (!idempotency && event.conversationId !== null && !event.test) {
        return batcher.publish({ ...event, conversationId: event.conversationId });
      }
      return groupCommit.run((trx) => publishIn(trx, event, idempotency));
    },

    /**
     * Stores a host's batch of events and their fan-out in one transaction (shared with other work
     * on SQLite, as `publish` with a key); one result per item, in order. Keys as in `publish`.
     */
    async publishMany(items: ManyItem[]): Promise<PublishResult[]> {
      if (items.length === 0) return [];
      return groupCommit.run((trx) => publishMany(trx, items, writer));
    },

    /** Stores a test event with one pending delivery to the given webhook (undefined: it is gone). */
    async publishTest(event: NewEvent, webhookId: string): Promise<string | undefined> {
      const row = deliveryRow(event.id, webhookId, 'pending', true, event.createdAt);
      return groupCommit.run(async (trx) => {
        const webhook = await trx
          .selectFrom('webhooks as w')
          .select('w.id')
          .where('w.id', '=', webhookId)
          .$if(lockWebhooks, (query) => query.forKeyShare('w'))
          .executeTakeFirst();
        if (!webhook) return undefined;
        await insertEvent(trx, { ...event, test: true });
        await insertDeliveries(trx, [row]);
        return row.id;
      });
    },

    async get(id: string): Promise<EventRow | undefined> {
      return db.selectFrom('events').selectAll().where('id', '=', id).executeTakeFirst();
    },
  };
}

export type EventsRepo = ReturnType<typeof createEventsRepo>;
