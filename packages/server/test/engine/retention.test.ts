// Retention through the worker's sweeper, in bounded batches: history past KLANG_RETENTION (events
// with their finished deliveries and attempts, idempotency keys) and hourly stats past two days go,
// batch after batch within one sweep; recent rows and events with pending deliveries stay.
import { afterEach, expect, it } from 'vitest';
import { attemptRow } from '../repos/rows.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { type EngineHarness, startHarness } from './support/engine.ts';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const BATCH = 40;
const OLD_EVENTS = 130; // more than three batches

describeEachDatabase('retention (%s)', (kind) => {
  let harness: EngineHarness;
  afterEach(() => harness?.dispose());

  it('prunes everything past retention in bounded batches and keeps what is recent or pending', async () => {
    harness = await startHarness(
      kind,
      { KLANG_RETENTION: '30d' },
      { pruneBatch: BATCH, sweepIntervalMs: 3_600_000 },
    );
    const { db } = harness.database;
    const { webhook, conversationId } = await harness.setup('https://example.com/hook');
    const now = Date.now();
    const old = now - 31 * DAY;
    const event = (id: string, createdAt: number) => ({
      id,
      type: 'conversation.ready',
      conversation_id: conversationId,
      payload: '{}',
      test: 0,
      created_at: createdAt,
    });
    const delivery = (eventId: string, status: 'pending' | 'succeeded') => ({
      id: `dlv_${eventId}`,
      event_id: eventId,
      webhook_id: webhook.id,
      status,
      status_reason: null,
      test: 0,
      attempts: 1,
      locked_until: null,
      locked_by: null,
      next_attempt_at: now + DAY,
      created_at: old,
      updated_at: old,
    });
    const attempt = (eventId: string, createdAt: number) =>
      attemptRow(
        { id: `dlv_${eventId}`, eventId, webhookId: webhook.id },
        { id: `att_${eventId}`, created_at: createdAt },
      );
    const oldIds = Array.from({ length: OLD_EVENTS }, (_, i) => `evt_old${i}`);
    await db
      .insertInto('events')
      .values([
        ...oldIds.map((id) => event(id, old)),
        event('evt_old_late', old),
        event('evt_old_pending', old),
        event('evt_new', now),
      ])
      .execute();
    await db
      .insertInto('deliveries')
      .values([
        ...oldIds.map((id) => delivery(id, 'succeeded')),
        delivery('evt_old_late', 'succeeded'),
        delivery('evt_old_pending', 'pending'),
        delivery('evt_new', 'succeeded'),
      ])
      .execute();
    await db
      .insertInto('attempts')
      // An old event's attempt made within retention (a late retry) goes with its event.
      .values([
        ...oldIds.map((id) => attempt(id, old)),
        attempt('evt_old_late', now),
        attempt('evt_new', now),
      ])
      .execute();
    await db
      .insertInto('idempotency_keys')
      .values([
        ...oldIds.map((id) => ({ key: `key-${id}`, request_hash: 'h', event_id: id, created_at: old })),
        { key: 'key-new', request_hash: 'h', event_id: 'evt_new', created_at: now },
      ])
      .execute();
    const hourNow = Math.floor(now / HOUR) * HOUR;
    // 100 hours of stats: the last 48 stay, the 52 before go.
    await db
      .insertInto('webhook_stats_hourly')
      .values(
        Array.from({ length: 100 }, (_, i) => ({
          webhook_id: webhook.id,
          hour: hourNow - i * HOUR,
          succeeded: 1,
          failed: 0,
          response_ms_sum: 5,
          response_count: 1,
        })),
      )
      .execute();
    // Rows written beside a concurrent writer (PostgreSQL) follow the same cutoff.
    await db
      .insertInto('webhook_stats_hourly_shards')
      .values(
        [0, 47, 48, 99].map((i) => ({
          webhook_id: webhook.id,
          hour: hourNow - i * HOUR,
          shard: 1,
          succeeded: 1,
          failed: 0,
          response_ms_sum: 5,
          response_count: 1,
        })),
      )
      .execute();

    await harness.engine.sweep();

    const ids = async (table: 'events' | 'deliveries' | 'attempts') =>
      (await db.selectFrom(table).select('id').execute()).map((row) => row.id).sort();
    expect(await ids('events')).toEqual(['evt_new', 'evt_old_pending']);
    expect(await ids('deliveries')).toEqual(['dlv_evt_new', 'dlv_evt_old_pending']);
    expect(await ids('attempts')).toEqual(['att_evt_new']);
    expect((await db.selectFrom('idempotency_keys').select('key').execute()).map((row) => row.key)).toEqual([
      'key-new',
    ]);
    const hours = (await db.selectFrom('webhook_stats_hourly').select('hour').execute()).map((row) =>
      Number(row.hour),
    );
    expect(hours).toHaveLength(48);
    expect(Math.min(...hours)).toBeGreaterThanOrEqual(now - 48 * HOUR);
    const shardHours = (await db.selectFrom('webhook_stats_hourly_shards').select('hour').execute())
      .map((row) => Number(row.hour))
      .sort((a, b) => b - a);
    expect(shardHours).toEqual([hourNow, hourNow - 47 * HOUR]);
  });
});
