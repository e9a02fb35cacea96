// A host's batch of events in one transaction: their idempotency keys claimed together, the new
// events written set-based (event-batch.ts), replays answered with the event a key already names.
// A key used twice in one batch: the later entry replays the earlier one, or conflicts with it.
import type { Transaction } from 'kysely';
import type { Database } from '../tables.ts';
import { type BatchEvent, type GroupWriter, writeGroup } from './event-batch.ts';
import type { Idempotency, PublishResult } from './event-types.ts';
import { boundTo } from './intake-statements.ts';

export interface ManyItem {
  event: BatchEvent;
  idempotency?: Idempotency | undefined;
}

const CHUNK = 200;

/** Who holds a key: a row stored before this batch, or an entry of this batch (by index). */
type KeyOwner = { stored: true; eventId: string; requestHash: string } | { stored: false; index: number };

/** Claims every first use of a key in the batch; returns the owner of each key. */
async function claimKeys(trx: Transaction<Database>, items: ManyItem[]): Promise<Map<string, KeyOwner>> {
  const first = new Map<string, number>();
  for (const [index, item] of items.entries()) {
    if (item.idempotency && !first.has(item.idempotency.key)) first.set(item.idempotency.key, index);
  }
  // Sorted, so two batches that share keys lock them in the same order (no deadlock on PostgreSQL).
  const keys = [...first.keys()].sort();
  const claimed = new Set<string>();
  for (let i = 0; i < keys.length; i += CHUNK) {
    const rows = keys.slice(i, i + CHUNK).map((key) => {
      const item = items[first.get(key)!]!;
      return {
        key,
        request_hash: item.idempotency!.requestHash,
        event_id: item.event.id,
        created_at: item.event.createdAt,
      };
    });
    const inserted = await trx
      .insertInto('idempotency_keys')
      .values(rows)
      .onConflict((oc) => oc.column('key').doNothing())
      .returning('key')
      .execute();
    for (const row of inserted) claimed.add(row.key);
  }
  const owners = new Map<string, KeyOwner>();
  for (const key of claimed) owners.set(key, { stored: false, index: first.get(key)! });
  const taken = keys.filter((key) => !claimed.has(key));
  for (let i = 0; i < taken.length; i += CHUNK) {
    const rows = await trx
      .selectFrom('idempotency_keys')
      .select(['key', 'request_hash', 'event_id'])
      .where('key', 'in', taken.slice(i, i + CHUNK))
      .execute();
    for (const row of rows) {
      owners.set(row.key, { stored: true, eventId: row.event_id, requestHash: row.request_hash });
    }
  }
  return owners;
}

/** Deliveries and missed rows of stored events, by event id. */
async function countDeliveries(trx: Transaction<Database>, eventIds: string[]) {
  const counts = new Map<string, { deliveries: number; missed: number }>();
  for (const id of eventIds) counts.set(id, { deliveries: 0, missed: 0 });
  const unique = [...counts.keys()];
  for (let i = 0; i < unique.length; i += CHUNK) {
    const rows = await trx
      .selectFrom('deliveries')
      .select(['event_id', 'status', (eb) => eb.fn.countAll<number>().as('n')])
      .where('event_id', 'in', unique.slice(i, i + CHUNK))
      .groupBy(['event_id', 'status'])
      .execute();
    for (const row of rows) {
      const count = counts.get(row.event_id)!;
      if (row.status === 'missed') count.missed += Number(row.n);
      else count.deliveries += Number(row.n);
    }
  }
  return counts;
}

/** Publishes every item inside `trx`; one result per item, in order. */
export async function publishMany(
  trx: Transaction<Database>,
  items: ManyItem[],
  writer: GroupWriter,
): Promise<PublishResult[]> {
  const owners = await claimKeys(trx, items);
  type Plan = { kind: 'new' } | { kind: 'conflict'; eventId: string } | { kind: 'replay'; owner: KeyOwner };
  const plans = items.map((item, index): Plan => {
    const owner = item.idempotency && owners.get(item.idempotency.key);
    if (!owner || (!owner.stored && owner.index === index)) return { kind: 'new' };
    const first = owner.stored ? undefined : items[owner.index]!;
    const held = owner.stored
      ? owner
      : { eventId: first!.event.id, requestHash: first!.idempotency!.requestHash };
    if (held.requestHash !== item.idempotency!.requestHash)
      return { kind: 'conflict', eventId: held.eventId };
    return { kind: 'replay', owner };
  });

  const fresh = items.filter((_, index) => plans[index]!.kind === 'new').map((item) => item.event);
  const written =
    fresh.length > 0 ? await writeGroup(boundTo(writer.statements, trx), fresh, writer.deliveryRow) : [];
  const created = new Map(written.map((result) => [result.eventId, result]));
  const storedReplays = plans.flatMap((plan) =>
    plan.kind === 'replay' && plan.owner.stored ? [plan.owner.eventId] : [],
  );
  const counts = storedReplays.length > 0 ? await countDeliveries(trx, storedReplays) : new Map();

  return plans.map((plan, index): PublishResult => {
    if (plan.kind === 'new') return created.get(items[index]!.event.id)!;
    if (plan.kind === 'conflict') return { kind: 'conflict', eventId: plan.eventId };
    const { owner } = plan;
    if (owner.stored) return { kind: 'replayed', eventId: owner.eventId, ...counts.get(owner.eventId)! };
    const original = created.get(items[owner.index]!.event.id)!;
    return {
      kind: 'replayed',
      eventId: original.eventId,
      deliveries: original.deliveries,
      missed: original.missed,
    };
  });
}
