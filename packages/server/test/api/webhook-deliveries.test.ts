import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOUR_MS } from '../../src/db/repos/stats-repo.ts';
import { FAILURE_KIND_COLUMNS, RESPONSE_BUCKET_COLUMNS } from '../../src/db/stats-columns.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { createUserWithToken } from '../support/users.ts';
import {
  type ApiCaller,
  apiAs,
  createWebhook as createWebhookAs,
  deliveryOf,
  insertAttempt,
  publishEvent,
} from '../support/webhook-api.ts';

describeEachDatabase('attempts, resend and stats on %s', (kind) => {
  let t: TestApp;
  let api: ApiCaller;
  let userId: string;
  beforeAll(async () => {
    t = await createTestApp(kind);
    const user = await createUserWithToken(t, 'pro');
    userId = user.userId;
    api = apiAs(t, user.headers);
  });
  afterAll(() => t.dispose());

  const createWebhook = (events?: string[]) => createWebhookAs(api, events);

  describe('attempts', () => {
    let webhookId: string;
    let attemptIds: string[];
    let failedDelivery: string;
    let readyEvent: string;

    beforeAll(async () => {
      webhookId = (await createWebhook()).id;
      readyEvent = await publishEvent(t, userId, 'conversation.ready');
      const failedEvent = await publishEvent(t, userId, 'conversation.failed');
      const ready = await deliveryOf(t, readyEvent, webhookId);
      const failed = await deliveryOf(t, failedEvent, webhookId);
      failedDelivery = failed.id;
      attemptIds = [];
      // 25 attempts: ready ones succeed, failed-event ones fail; ids increase with time.
      for (let i = 0; i < 25; i++) {
        const isReady = i % 2 === 0;
        attemptIds.push(
          await insertAttempt(t, webhookId, {
            deliveryId: isReady ? ready.id : failed.id,
            eventId: isReady ? readyEvent : failedEvent,
            eventType: isReady ? 'conversation.ready' : 'conversation.failed',
            outcome: isReady ? 'succeeded' : 'failed',
            attempt: Math.floor(i / 2) + 1,
          }),
        );
      }
    });

    /** A webhook of its own with one event and one failed attempt, for tests that change delivery rows. */
    async function ownFailedDelivery() {
      const ownWebhook = (await createWebhook()).id;
      const eventId = await publishEvent(t, userId, 'conversation.failed');
      const delivery = await deliveryOf(t, eventId, ownWebhook);
      await insertAttempt(t, ownWebhook, {
        deliveryId: delivery.id,
        eventId,
        eventType: 'conversation.failed',
        outcome: 'failed',
      });
      return { webhookId: ownWebhook, deliveryId: delivery.id, eventId };
    }

    it("shows each attempt's delivery state, and why retries were cancelled", async () => {
      const { webhookId, deliveryId: failedDelivery } = await ownFailedDelivery();
      const before = (await api.get(`/webhooks/${webhookId}/attempts?status=failed&limit=1`)).json().data[0];
      expect(before).toMatchObject({ delivery_status: 'pending', delivery_status_reason: null });
      await t.database.db
        .updateTable('deliveries')
        .set({ status: 'cancelled', status_reason: 'access_revoked' })
        .where('id', '=', failedDelivery)
        .execute();
      const after = (await api.get(`/webhooks/${webhookId}/attempts?status=failed&limit=1`)).json().data[0];
      expect(after).toMatchObject({ delivery_status: 'cancelled', delivery_status_reason: 'access_revoked' });
      const detail = (await api.get(`/webhooks/${webhookId}/attempts/${after.id}`)).json();
      expect(detail).toMatchObject({
        delivery_status: 'cancelled',
        delivery_status_reason: 'access_revoked',
      });
    });

    it('lists newest first, 20 by default, and pages with next_cursor', async () => {
      const first = await api.get(`/webhooks/${webhookId}/attempts`);
      expect(first.statusCode).toBe(200);
      const page1 = first.json();
      expect(page1.data).toHaveLength(20);
      expect(page1.data.map((a: { id: string }) => a.id)).toEqual([...attemptIds].reverse().slice(0, 20));
      expect(page1.next_cursor).toBe(page1.data[19].id);
      expect(Object.keys(page1.data[0]).sort()).toEqual(
        [
          'id',
          'delivery_id',
          'event_id',
          'event_type',
          'attempt',
          'test',
          'outcome',
          'response_status',
          'error',
          'error_message',
          'duration_ms',
          'created_at',
          'next_retry_at',
          'delivery_status',
          'delivery_status_reason',
        ].sort(),
      );
      const second = (await api.get(`/webhooks/${webhookId}/attempts?cursor=${page1.next_cursor}`)).json();
      expect(second.data.map((a: { id: string }) => a.id)).toEqual([...attemptIds].reverse().slice(20));
      expect(second.next_cursor).toBeNull();

      const small = (await api.get(`/webhooks/${webhookId}/attempts?limit=25`)).json();
      expect(small.data).toHaveLength(25);
      expect(small.next_cursor).toBeNull();
    });

    it('filters by status and event type', async () => {
      const failed = (await api.get(`/webhooks/${webhookId}/attempts?status=failed&limit=100`)).json();
      expect(failed.data).toHaveLength(12);
      expect(failed.data.every((a: { outcome: string }) => a.outcome === 'failed')).toBe(true);
      expect(failed.data[0]).toMatchObject({ response_status: 500, error: 'http_status', test: false });
      expect(failed.data[0].next_retry_at).not.toBeNull();
      const ready = (await api.get(`/webhooks/${webhookId}/attempts?type=conversation.ready&limit=5`)).json();
      expect(ready.data).toHaveLength(5);
      expect(ready.data.every((a: { event_type: string }) => a.event_type === 'conversation.ready')).toBe(
        true,
      );
      const next = (
        await api.get(
          `/webhooks/${webhookId}/attempts?type=conversation.ready&limit=5&cursor=${ready.next_cursor}`,
        )
      ).json();
      expect(next.data).toHaveLength(5);
      expect(next.data[0].id < ready.data[4].id).toBe(true);
      const none = (
        await api.get(`/webhooks/${webhookId}/attempts?type=conversation.deleted&status=succeeded`)
      ).json();
      expect(none).toEqual({ data: [], next_cursor: null });
    });

    it.each([
      ['limit=0', 'limit'],
      ['limit=-1', 'limit'],
      ['limit=101', 'limit'],
      ['limit=1e9', 'limit'],
      ['limit=NaN', 'limit'],
      ['limit=2.5', 'limit'],
      ['limit=abc', 'limit'],
      ['cursor=garbage', 'cursor'],
      ['cursor=att_%00', 'cursor'],
      ['status=pending', 'status'],
      ["status='%20OR%201=1%20--", 'status'],
      ['type=conversation.nope', 'type'],
    ])('answers 422 for %s', async (query, field) => {
      const response = await api.get(`/webhooks/${webhookId}/attempts?${query}`);
      expect(response.statusCode, response.body).toBe(422);
      expect(response.json().error.code).toBe('validation_failed');
      expect(response.json().error.details[0].field).toContain(field);
    });

    it('shows one attempt with request headers and body and the response', async () => {
      const response = await api.get(`/webhooks/${webhookId}/attempts/${attemptIds[1]}`);
      expect(response.statusCode).toBe(200);
      const attempt = response.json();
      expect(attempt).toMatchObject({
        id: attemptIds[1],
        delivery_id: failedDelivery,
        outcome: 'failed',
        request: { headers: { 'content-type': 'application/json' } },
        response: { status: 500, headers: { 'content-type': 'text/plain' }, body: 'boom', truncated: false },
      });
      const event = await t.container.repos.events.get(attempt.event_id);
      expect(attempt.request.body).toBe(event!.payload);

      for (const id of ['att_00000000000000000000000000', 'abc', attemptIds[1]!.toUpperCase()]) {
        const missing = await api.get(`/webhooks/${webhookId}/attempts/${id}`);
        expect(missing.statusCode).toBe(404);
        expect(missing.json().error.code).toBe('attempt_not_found');
      }
      // An attempt of another webhook of the same user is not found under this one.
      const other = await createWebhook();
      const elsewhere = await api.get(`/webhooks/${other.id}/attempts/${attemptIds[1]}`);
      expect(elsewhere.statusCode).toBe(404);
      expect(elsewhere.json().error.code).toBe('attempt_not_found');
    });

    it('resends a delivery: back to pending, due now, unlocked, same event', async () => {
      const { webhookId, deliveryId: failedDelivery } = await ownFailedDelivery();
      await t.database.db
        .updateTable('deliveries')
        .set({ status: 'failed', attempts: 7, next_attempt_at: Date.now() + HOUR_MS })
        .where('id', '=', failedDelivery)
        .execute();
      const before = Date.now();
      const response = await api.post(`/webhooks/${webhookId}/deliveries/${failedDelivery}/resend`);
      expect(response.statusCode).toBe(202);
      expect(response.json()).toEqual({ delivery_id: failedDelivery });
      const row = await t.database.db
        .selectFrom('deliveries')
        .selectAll()
        .where('id', '=', failedDelivery)
        .executeTakeFirstOrThrow();
      expect(row.status).toBe('pending');
      expect(row.locked_until).toBeNull();
      expect(Number(row.next_attempt_at)).toBeGreaterThanOrEqual(before);
      expect(Number(row.next_attempt_at)).toBeLessThanOrEqual(Date.now());
    });

    it('refuses to resend a delivery whose attempt is in flight (409) and unknown ones (404)', async () => {
      const { webhookId, deliveryId, eventId } = await ownFailedDelivery();
      const ready = { id: deliveryId };
      await t.database.db
        .updateTable('deliveries')
        .set({ status: 'pending', locked_until: Date.now() + 60_000, locked_by: 'worker-1' })
        .where('id', '=', ready.id)
        .execute();
      const busy = await api.post(`/webhooks/${webhookId}/deliveries/${ready.id}/resend`);
      expect(busy.statusCode).toBe(409);
      expect(busy.json().error.code).toBe('conflict');
      const row = await deliveryOf(t, eventId, webhookId);
      expect(row.locked_by).toBe('worker-1');

      for (const id of ['dlv_00000000000000000000000000', 'nope']) {
        const missing = await api.post(`/webhooks/${webhookId}/deliveries/${id}/resend`);
        expect(missing.statusCode).toBe(404);
        expect(missing.json().error.code).toBe('delivery_not_found');
      }
    });
  });

  describe('stats', () => {
    it('answers zeros and 24 empty buckets for a quiet webhook', async () => {
      const webhook = await createWebhook();
      const response = await api.get(`/webhooks/${webhook.id}/stats`);
      expect(response.statusCode).toBe(200);
      const stats = response.json();
      expect(stats).toMatchObject({
        delivered: 0,
        failed: 0,
        attempts: 0,
        error_rate: 0,
        avg_response_ms: null,
        p50_response_ms: null,
        p95_response_ms: null,
      });
      expect(stats.failures_by_kind).toEqual({
        timeout: 0,
        connection: 0,
        dns: 0,
        tls: 0,
        redirect: 0,
        client_error: 0,
        server_error: 0,
        blocked: 0,
      });
      expect(stats.activity).toHaveLength(24);
      expect(
        stats.activity.every((b: { succeeded: number; failed: number }) => b.succeeded + b.failed === 0),
      ).toBe(true);
    });

    it('sums the last 24 hourly rollups, zero-fills the gaps and leaves older hours out', async () => {
      const webhook = await createWebhook();
      const currentHour = Math.floor(Date.now() / HOUR_MS) * HOUR_MS;
      const rollup = (hoursAgo: number, succeeded: number, failed: number, msSum: number, count: number) => ({
        webhook_id: webhook.id,
        hour: currentHour - hoursAgo * HOUR_MS,
        succeeded,
        failed,
        response_ms_sum: msSum,
        response_count: count,
      });
      await t.database.db
        .insertInto('webhook_stats_hourly')
        .values([
          rollup(0, 6, 2, 800, 8),
          rollup(5, 3, 1, 400, 3),
          rollup(23, 1, 0, 100, 1),
          rollup(24, 100, 100, 100_000, 200),
        ])
        .execute();
      const stats = (await api.get(`/webhooks/${webhook.id}/stats`)).json();
      expect(stats).toMatchObject({
        delivered: 10,
        failed: 3,
        attempts: 13,
        error_rate: 3 / 13,
        avg_response_ms: Math.round(1300 / 12),
      });
      expect(stats.activity).toHaveLength(24);
      expect(stats.activity[0]).toEqual({
        hour: new Date(currentHour - 23 * HOUR_MS).toISOString(),
        succeeded: 1,
        failed: 0,
      });
      expect(stats.activity[18]).toMatchObject({ succeeded: 3, failed: 1 });
      expect(stats.activity[23]).toEqual({
        hour: new Date(currentHour).toISOString(),
        succeeded: 6,
        failed: 2,
      });
      const hours = stats.activity.map((b: { hour: string }) => Date.parse(b.hour));
      expect(hours.every((h: number, i: number) => i === 0 || h - hours[i - 1] === HOUR_MS)).toBe(true);

      const listed = (await api.get('/webhooks'))
        .json()
        .data.find((w: { id: string }) => w.id === webhook.id);
      expect(listed.activity_24h).toMatchObject({ succeeded: 10, failed: 3 });
      expect(listed.activity_24h.buckets).toEqual(stats.activity);
    });

    it('answers percentiles from the response-time buckets and failures by kind of the window', async () => {
      const webhook = await createWebhook();
      const currentHour = Math.floor(Date.now() / HOUR_MS) * HOUR_MS;
      const rollup = (hoursAgo: number, counters: Record<string, number>) => ({
        webhook_id: webhook.id,
        hour: currentHour - hoursAgo * HOUR_MS,
        succeeded: 0,
        failed: 0,
        response_ms_sum: 0,
        response_count: 0,
        // every row names every column (SQLite has no DEFAULT in a multi-row VALUES)
        ...Object.fromEntries([...RESPONSE_BUCKET_COLUMNS, ...FAILURE_KIND_COLUMNS].map((c) => [c, 0])),
        ...counters,
      });
      await t.database.db
        .insertInto('webhook_stats_hourly')
        .values([
          rollup(0, { response_le_50: 6, failed_server_error: 2, failed_timeout: 1 }),
          rollup(3, { response_le_5: 4, response_le_1000: 2, failed_client_error: 3, failed_dns: 1 }),
          rollup(24, { response_le_inf: 500, failed_blocked: 9 }),
        ])
        .execute();
      const response = await api.get(`/webhooks/${webhook.id}/stats`);
      expect(response.statusCode).toBe(200);
      const stats = response.json();
      // 12 responses: 4 ≤ 5 ms, 6 in (25, 50], 2 in (500, 1000]; the rank 6 is in (25, 50]
      expect(stats.p50_response_ms).toBe(Math.round(25 + (25 * 2) / 6));
      // rank 11.4 is in (500, 1000]: 500 + 500 × 1.4 / 2
      expect(stats.p95_response_ms).toBe(850);
      expect(stats.failures_by_kind).toEqual({
        timeout: 1,
        connection: 0,
        dns: 1,
        tls: 0,
        redirect: 0,
        client_error: 3,
        server_error: 2,
        blocked: 0,
      });
    });

    it('answers the percentiles of a single response exactly', async () => {
      const webhook = await createWebhook();
      const currentHour = Math.floor(Date.now() / HOUR_MS) * HOUR_MS;
      await t.database.db
        .insertInto('webhook_stats_hourly')
        .values({
          webhook_id: webhook.id,
          hour: currentHour,
          succeeded: 1,
          failed: 0,
          response_ms_sum: 158,
          response_count: 1,
          ...Object.fromEntries([...RESPONSE_BUCKET_COLUMNS, ...FAILURE_KIND_COLUMNS].map((c) => [c, 0])),
          response_le_250: 1,
        })
        .execute();
      const stats = (await api.get(`/webhooks/${webhook.id}/stats`)).json();
      expect(stats).toMatchObject({ avg_response_ms: 158, p50_response_ms: 158, p95_response_ms: 158 });
    });
  });
});
