// Intake in groups: host events without an idempotency key that arrive in the same turn of the event
// loop (or while a group is being written) are stored together — their fan-out computed once from one
// candidate-webhook lookup for all their conversations, the events and deliveries written atomically
// by the dialect's intake store (db/intake-store/), or by `writeGroup` inside a Kysely transaction for
// host batches (publish-many.ts). If a group fails, each event is published alone.
import { receivesEvents, type StoredWebhookStatus } from '../../domain/webhook-status.ts';
import type { DeliveriesTable } from '../tables.ts';
import type { Candidate, EventInsert, GroupStatements, IntakeStatements } from './intake-statements.ts';

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
  /** The webhooks that got a pending delivery. */
  webhookIds: string[];
}

export type DeliveryRowOf = (
  eventId: string,
  webhookId: string,
  status: 'pending' | 'missed',
  test: boolean,
  now: number,
) => DeliveriesTable;

/** What a group write needs: the dialect's fixed statements and the shape of a delivery row. */
export interface GroupWriter {
  statements: IntakeStatements;
  deliveryRow: DeliveryRowOf;
}

export interface EventBatcherDeps {
  /** Writes one group (writeGroup) in one transaction; one result per event, in order. */
  write(events: BatchEvent[]): Promise<BatchPublished[]>;
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

/** The answer for an event stored with these delivery rows. */
export function createdResult(eventId: string, rows: readonly DeliveriesTable[]): BatchPublished {
  const webhookIds = rows.filter((r) => r.status === 'pending').map((r) => r.webhook_id);
  return {
    kind: 'created',
    eventId,
    deliveries: webhookIds.length,
    missed: rows.length - webhookIds.length,
    webhookIds,
  };
}

/** The rows a group writes: a delivery per subscribed candidate of each event's conversation. */
export interface FanOut {
  deliveries: DeliveriesTable[];
  /** One per event, in order. */
  results: BatchPublished[];
}

/** Fans each event out to the candidates of its conversation subscribed to its type (no I/O). */
export function fanOut(events: BatchEvent[], candidates: Candidate[], deliveryRow: DeliveryRowOf): FanOut {
  const perConversation = new Map<string, { id: string; status: StoredWebhookStatus; types: string[] }[]>();
  for (const c of candidates) {
    const list = perConversation.get(c.conversation_id) ?? [];
    list.push({ id: c.id, status: c.status, types: JSON.parse(c.events) as string[] });
    perConversation.set(c.conversation_id, list);
  }
  const deliveries: DeliveriesTable[] = [];
  const results = events.map((event): BatchPublished => {
    const rows = (perConversation.get(event.conversationId) ?? [])
      .filter((w) => w.types.includes(event.type))
      .map((w) =>
        deliveryRow(event.id, w.id, receivesEvents(w.status) ? 'pending' : 'missed', false, event.createdAt),
      );
    deliveries.push(...rows);
    return createdResult(event.id, rows);
  });
  return { deliveries, results };
}

export const eventRows = (events: BatchEvent[]): EventInsert[] =>
  events.map((e) => ({
    id: e.id,
    type: e.type,
    conversation_id: e.conversationId,
    payload: e.payload,
    created_at: e.createdAt,
  }));

/** Inserts the events and their fan-out set-based in one transaction; one result per event, in order. */
export async function writeGroup(
  statements: GroupStatements,
  events: BatchEvent[],
  deliveryRow: DeliveryRowOf,
): Promise<BatchPublished[]> {
  await statements.insertEvents(eventRows(events));
  const candidates = await statements.candidates([...new Set(events.map((e) => e.conversationId))]);
  const { deliveries, results } = fanOut(events, candidates, deliveryRow);
  if (deliveries.length > 0) await statements.insertDeliveries(deliveries);
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
        const results = await deps.write(events);
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
