// The grouped intake on PostgreSQL in two round trips and no open transaction: the candidate webhooks
// read, then one statement that writes the events and their deliveries with those webhooks' rows
// locked. Both are named prepared statements (parsed and planned once per pooled connection).
import type pg from 'pg';
import type { BatchEvent, BatchPublished, DeliveryRowOf } from '../repos/event-batch.ts';
import { createdResult, eventRows, fanOut } from '../repos/event-batch.ts';
import {
  CANDIDATES,
  type Candidate,
  DELIVERY_COLUMNS,
  EVENT_COLUMNS,
  pgValues,
} from '../repos/intake-statements.ts';
import type { DeliveriesTable } from '../tables.ts';
import type { IntakeStore } from './types.ts';

const TEXT = {
  candidates: CANDIDATES((column) => `${column} = ANY($1::text[])`),
  // One statement is one transaction: the events and the deliveries commit together or not at all.
  // The KEY SHARE lock stands for the foreign key the deliveries have no longer (migration 0008): a
  // webhook whose delete is uncommitted makes this wait, and once deleted it is no longer in
  // `locked`, so none of its deliveries are written (its delete already removed the others).
  store: `WITH stored_events AS (
      INSERT INTO ${EVENT_COLUMNS}
      SELECT id, type, conversation_id, payload, 0, created_at
      FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[])
        AS t(id, type, conversation_id, payload, created_at)
    ), locked AS (
      SELECT id FROM webhooks WHERE id = ANY($6::text[]) FOR KEY SHARE
    )
    INSERT INTO ${DELIVERY_COLUMNS}
    SELECT id, event_id, webhook_id, status, status_reason, test, 0, at, NULL, NULL, created, created
    FROM unnest($7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::int[], $13::bigint[],
      $14::bigint[]) AS t(id, event_id, webhook_id, status, status_reason, test, at, created)
    WHERE webhook_id IN (SELECT id FROM locked)
    RETURNING id`,
} as const;

type Queryable = Pick<pg.Pool, 'query'>;

const run = <R extends pg.QueryResultRow>(pool: Queryable, name: keyof typeof TEXT, values: unknown[]) =>
  pool.query<R>({ name: `klang_intake_${name}`, text: TEXT[name], values });

export const createPostgresIntakeStore = (pool: Queryable): IntakeStore => ({
  writeGroup: (events, deliveryRow) => writeGroup(pool, events, deliveryRow),
});

async function writeGroup(
  pool: Queryable,
  events: BatchEvent[],
  deliveryRow: DeliveryRowOf,
): Promise<BatchPublished[]> {
  const conversationIds = [...new Set(events.map((e) => e.conversationId))];
  const candidates = (await run<Candidate>(pool, 'candidates', pgValues.candidates(conversationIds))).rows;
  const { deliveries, results } = fanOut(events, candidates, deliveryRow);
  const webhookIds = [...new Set(deliveries.map((d) => d.webhook_id))];
  const values = [
    ...pgValues.insertEvents(eventRows(events)),
    webhookIds,
    ...pgValues.insertDeliveries(deliveries),
  ];
  const stored = (await run<{ id: string }>(pool, 'store', values)).rows;
  if (stored.length === deliveries.length) return results;
  return withoutDropped(events, deliveries, new Set(stored.map((row) => row.id)));
}

/** The results again without the deliveries of webhooks deleted between the two statements. */
function withoutDropped(
  events: BatchEvent[],
  deliveries: DeliveriesTable[],
  stored: ReadonlySet<string>,
): BatchPublished[] {
  const perEvent = new Map<string, DeliveriesTable[]>(events.map((e) => [e.id, []]));
  for (const row of deliveries) if (stored.has(row.id)) perEvent.get(row.event_id)!.push(row);
  return events.map((e) => createdResult(e.id, perEvent.get(e.id)!));
}
