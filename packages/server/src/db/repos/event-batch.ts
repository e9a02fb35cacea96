// Intake in groups: host events without an idempotency key that arrive in the same turn of the event
// loop (or while a group is being written) are stored together — one multi-row insert of the events,
// one candidate-webhook lookup for all their conversations, one multi-row insert of the deliveries —
// in one transaction. If a group fails, each event is published alone, so one failure stays its own.
import type { Kysely, Transaction } from 'kysely';
import { receivesEvents, type StoredWebhookStatus } from '../../domain/webhook-status.ts';
import type { Database, DeliveriesTable } from '../tables.ts';

export interface BatchEvent {
  id: string;
  type: string;
  conversationId: string;
  payload: string;
  createdAt: number;
}

export interface BatchPublished {
  kind: 'created';
  eventId: string;
  deliveries: number;
  missed: number;
}

export type DeliveryRowOf = (
  eventId: string,
  webhookId: string,
  status: 'pending' | 'missed',
  test: boolean,
  now: number,
) => DeliveriesTable;

export interface EventBatcherDeps {
  db: Kysely<Database>;
  deliveryRow: DeliveryRowOf;
  /** Publishes one event in its own transaction (the fallback when a group fails). */
  alone(event: BatchEvent): Promise<BatchPublished>;
  /** Groups written at the same time at most (1 on SQLite's single connection). */
  lanes: number;
}

interface Job {
  event: BatchEvent;
  resolve(value: BatchPublished): void;
  reject(error: unknown): void;
}

const MAX_GROUP = 256;
const CHUNK = 200;

interface Candidate {
  conversation_id: string;
  id: string;
  status: StoredWebhookStatus;
  events: string;
}

/** Webhooks of pro/team owners who can see any of the conversations, with the conversation. */
function candidates(trx: Transaction<Database>, conversations: string[]): Promise<Candidate[]> {
  const access = trx
    .selectFrom('conversations')
    .select(['id as conversation_id', 'owner_id as user_id'])
    .where('id', 'in', conversations)
    .union(
      trx
        .selectFrom('conversation_user_shares')
        .select(['conversation_id', 'user_id'])
        .where('conversation_id', 'in', conversations),
    )
    .union(
      trx
        .selectFrom('conversation_team_shares as cts')
        .innerJoin('team_members as tm', 'tm.team_id', 'cts.team_id')
        .select(['cts.conversation_id', 'tm.user_id'])
        .where('cts.conversation_id', 'in', conversations),
    );
  return trx
    .selectFrom('webhooks as w')
    .innerJoin('users as u', 'u.id', 'w.user_id')
    .innerJoin(access.as('a'), 'a.user_id', 'w.user_id')
    .select(['a.conversation_id', 'w.id', 'w.status', 'w.events'])
    .where('u.plan', 'in', ['pro', 'team'])
    .execute();
}

/** Inserts the events and their fan-out set-based inside `trx`; one result per event, in order. */
export async function writeGroup(
  trx: Transaction<Database>,
  events: BatchEvent[],
  deliveryRow: DeliveryRowOf,
): Promise<BatchPublished[]> {
  for (let i = 0; i < events.length; i += CHUNK) {
    const rows = events.slice(i, i + CHUNK).map((e) => ({
      id: e.id,
      type: e.type,
      conversation_id: e.conversationId,
      payload: e.payload,
      test: 0,
      created_at: e.createdAt,
    }));
    await trx.insertInto('events').values(rows).execute();
  }
  const perConversation = new Map<string, { id: string; status: Candidate['status']; types: string[] }[]>();
  for (const c of await candidates(trx, [...new Set(events.map((e) => e.conversationId))])) {
    const list = perConversation.get(c.conversation_id) ?? [];
    list.push({ id: c.id, status: c.status, types: JSON.parse(c.events) as string[] });
    perConversation.set(c.conversation_id, list);
  }
  const deliveries: DeliveriesTable[] = [];
  const results = events.map((event): BatchPublished => {
    const rows = (perConversation.get(event.conversationId) ?? [])
      .filter((w) => w.types.includes(event.type))
      .map((w) =>
        deliveryRow(
          event.id,
          w.id,
          receivesEvents(w.status as StoredWebhookStatus) ? 'pending' : 'missed',
          false,
          event.createdAt,
        ),
      );
    deliveries.push(...rows);
    const missed = rows.filter((r) => r.status === 'missed').length;
    return { kind: 'created', eventId: event.id, deliveries: rows.length - missed, missed };
  });
  for (let i = 0; i < deliveries.length; i += CHUNK * 2) {
    await trx
      .insertInto('deliveries')
      .values(deliveries.slice(i, i + CHUNK * 2))
      .execute();
  }
  return results;
}

export function createEventBatcher(deps: EventBatcherDeps) {
  const queue: Job[] = [];
  let active = 0;
  let scheduled = false;

  async function drain(): Promise<void> {
    scheduled = false;
    active++;
    while (queue.length > 0) {
      const group = queue.splice(0, MAX_GROUP);
      try {
        const events = group.map((job) => job.event);
        const results = await deps.db
          .transaction()
          .execute((trx) => writeGroup(trx, events, deps.deliveryRow));
        for (const [i, job] of group.entries()) job.resolve(results[i]!);
      } catch {
        for (const job of group) await deps.alone(job.event).then(job.resolve, job.reject);
      }
    }
    active--;
  }

  return {
    /** Stores the event and its fan-out with others of its turn; resolves after the commit. */
    publish(event: BatchEvent): Promise<BatchPublished> {
      return new Promise<BatchPublished>((resolve, reject) => {
        queue.push({ event, resolve, reject });
        if (!scheduled && active < deps.lanes) {
          scheduled = true;
          setImmediate(() => void drain());
        }
      });
    },
  };
}
