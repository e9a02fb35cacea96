// Rows the engine would write (events, deliveries, attempts, hourly stats), inserted straight for repo tests.
import type { Kysely } from 'kysely';
import type { FailureKindColumn, ResponseBucketColumn } from '../../src/db/stats-columns.ts';
import type { Database, DeliveryStatus, NewAttemptRow } from '../../src/db/tables.ts';
import { newId } from '../../src/domain/ids.ts';

export async function insertEvent(
  db: Kysely<Database>,
  options: { id?: string; type?: string; payload?: string; conversationId?: string | null; at?: number } = {},
) {
  const id = options.id ?? newId.event();
  await db
    .insertInto('events')
    .values({
      id,
      type: options.type ?? 'conversation.ready',
      conversation_id: options.conversationId ?? null,
      payload: options.payload ?? `{"id":"${id}"}`,
      test: 0,
      created_at: options.at ?? Date.now(),
    })
    .execute();
  return id;
}

export async function insertDelivery(
  db: Kysely<Database>,
  eventId: string,
  webhookId: string,
  options: {
    status?: DeliveryStatus;
    nextAttemptAt?: number;
    lockedUntil?: number | null;
    reason?: string | null;
  } = {},
) {
  const id = newId.delivery();
  const now = Date.now();
  await db
    .insertInto('deliveries')
    .values({
      id,
      event_id: eventId,
      webhook_id: webhookId,
      status: options.status ?? 'pending',
      status_reason: options.reason ?? null,
      test: 0,
      attempts: 0,
      next_attempt_at: options.nextAttemptAt ?? now,
      locked_until: options.lockedUntil ?? null,
      locked_by: options.lockedUntil ? 'worker-1' : null,
      created_at: now,
      updated_at: now,
    })
    .execute();
  return id;
}

/** An attempt row of `delivery` as the engine writes it: a 200 in 5 ms unless `fields` say otherwise. */
export function attemptRow(
  delivery: { id: string; eventId: string; webhookId: string },
  fields: Partial<NewAttemptRow> = {},
): NewAttemptRow {
  return {
    id: newId.attempt(),
    delivery_id: delivery.id,
    webhook_id: delivery.webhookId,
    event_id: delivery.eventId,
    event_type: 'conversation.ready',
    attempt: 1,
    test: 0,
    outcome: 'succeeded',
    error: null,
    error_message: null,
    response_status: 200,
    duration_ms: 5,
    request_headers: '{}',
    response_headers: '{}',
    response_body: '',
    response_truncated: 0,
    next_retry_at: null,
    created_at: Date.now(),
    ...fields,
  };
}

export async function insertAttempt(
  db: Kysely<Database>,
  delivery: { id: string; eventId: string; webhookId: string },
  options: { attempt?: number; outcome?: 'succeeded' | 'failed'; eventType?: string; status?: number } = {},
) {
  const outcome = options.outcome ?? 'succeeded';
  const row = attemptRow(delivery, {
    event_type: options.eventType ?? 'conversation.ready',
    attempt: options.attempt ?? 1,
    outcome,
    error: outcome === 'failed' ? 'http_status' : null,
    error_message: outcome === 'failed' ? 'receiver answered 500' : null,
    response_status: options.status ?? (outcome === 'failed' ? 500 : 200),
    duration_ms: 42,
    request_headers: JSON.stringify({ 'webhook-id': delivery.eventId }),
    response_headers: JSON.stringify({ 'content-type': 'text/plain' }),
    response_body: 'ok',
  });
  await db.insertInto('attempts').values(row).execute();
  return row.id;
}

export async function insertStatsRow(
  db: Kysely<Database>,
  webhookId: string,
  hour: number,
  values: {
    succeeded?: number;
    failed?: number;
    responseMsSum?: number;
    responseCount?: number;
    /** Response-time bucket and failure-kind columns (db/stats-columns.ts); the others stay 0. */
    counters?: Partial<Record<ResponseBucketColumn | FailureKindColumn, number>>;
  },
) {
  await db
    .insertInto('webhook_stats_hourly')
    .values({
      webhook_id: webhookId,
      hour,
      succeeded: values.succeeded ?? 0,
      failed: values.failed ?? 0,
      response_ms_sum: values.responseMsSum ?? 0,
      response_count: values.responseCount ?? 0,
      ...values.counters,
    })
    .execute();
}

export async function countRows(
  db: Kysely<Database>,
  table: 'deliveries' | 'attempts' | 'webhook_stats_hourly',
  webhookId: string,
) {
  const row = await db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('webhook_id', '=', webhookId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
