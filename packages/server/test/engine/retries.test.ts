// Retries through the running engine with millisecond schedules: seven attempts with growing gaps,
// 410 ends retries, Retry-After within bounds, and one more attempt after a manual resend.
import { afterEach, expect, it } from 'vitest';
import { describeEachDatabase } from '../support/databases.ts';
import { type EngineHarness, startHarness } from './support/engine.ts';
import { answer, createReceiver, type Receiver, waitFor } from './support/receiver.ts';

describeEachDatabase('retries (%s)', (kind) => {
  let harness: EngineHarness;
  let target: Receiver;

  afterEach(async () => {
    await harness?.dispose();
    await target?.close();
  });

  it('makes exactly 7 attempts with growing gaps against a 500, then fails the delivery', async () => {
    harness = await startHarness(kind, { KLANG_RETRY_SCHEDULE: '20ms,60ms,150ms,400ms,1000ms,2000ms' });
    target = await createReceiver();
    target.respond(answer(500, { 'content-type': 'text/plain' }, 'down'));
    const { conversationId, webhook } = await harness.setup(target.url);
    const eventId = await harness.publish(conversationId);

    const delivery = await harness.settled(eventId, webhook.id, ['failed']);
    expect(delivery).toMatchObject({ status: 'failed', status_reason: 'attempts_exhausted', attempts: 7 });
    expect(target.requests).toHaveLength(7);
    expect(new Set(target.requests.map((r) => r.headers['webhook-id']))).toEqual(new Set([eventId]));
    expect(new Set(target.requests.map((r) => r.body)).size).toBe(1);
    // Never earlier than the schedule allows (−20 % jitter), and visibly growing at the receiver.
    const schedule = [20, 60, 150, 400, 1000, 2000];
    const gaps = target.requests.slice(1).map((r, i) => r.at - target.requests[i]!.at);
    for (const [i, gap] of gaps.entries()) expect(gap).toBeGreaterThanOrEqual(0.8 * schedule[i]! - 2);
    expect(gaps[3]).toBeLessThan(gaps[4]!);
    expect(gaps[4]).toBeLessThan(gaps[5]!);

    const attempts = await harness.attempts(webhook.id);
    expect(attempts.map((a) => a.attempt)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(attempts.every((a) => a.outcome === 'failed' && a.error === 'http_status')).toBe(true);
    expect(attempts.every((a) => a.response_status === 500 && a.response_body === 'down')).toBe(true);
    expect(attempts[6]!.next_retry_at).toBeNull();
    // The planned waits (from the end of each attempt to its retry) follow the schedule with its
    // ±20 % jitter (plus the time to record the result on a busy machine), so they grow.
    const planned = attempts.slice(0, 6).map((a) => a.next_retry_at! - (a.created_at + a.duration_ms));
    for (const [i, wait] of planned.entries()) {
      expect(wait).toBeGreaterThanOrEqual(0.8 * schedule[i]! - 2);
      expect(wait).toBeLessThanOrEqual(1.2 * schedule[i]! + 250);
    }

    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(target.requests).toHaveLength(7);
  });

  it('retries until the receiver recovers, with the same webhook-id and fresh timestamps', async () => {
    // webhook-timestamp counts seconds: retries over a second apart must each carry a newer one.
    harness = await startHarness(kind, { KLANG_RETRY_SCHEDULE: '1300ms,1300ms' });
    target = await createReceiver();
    target.respond((_request, res) => {
      res.writeHead(target.requests.length <= 2 ? 500 : 200);
      res.end();
    });
    const { conversationId, webhook } = await harness.setup(target.url);
    const eventId = await harness.publish(conversationId);
    const delivery = await harness.settled(eventId, webhook.id, ['succeeded']);
    expect(delivery.attempts).toBe(3);
    expect(target.requests.map((r) => r.headers['webhook-id'])).toEqual([eventId, eventId, eventId]);
    const stamps = target.requests.map((r) => Number(r.headers['webhook-timestamp']));
    for (const [i, stamp] of stamps.slice(1).entries()) expect(stamp).toBeGreaterThan(stamps[i]!);
    expect((await harness.webhook(webhook.id)).consecutive_failures).toBe(0);
  });

  it('ends retries for the delivery on 410 Gone', async () => {
    harness = await startHarness(kind);
    target = await createReceiver();
    target.respond(answer(410));
    const { conversationId, webhook } = await harness.setup(target.url);
    const eventId = await harness.publish(conversationId);
    const delivery = await harness.settled(eventId, webhook.id, ['failed']);
    expect(delivery).toMatchObject({ status_reason: 'gone', attempts: 1 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(target.requests).toHaveLength(1);
    expect((await harness.webhook(webhook.id)).status).toBe('active');
  });

  it('honours Retry-After on 503 within [delay, 2 × delay]', async () => {
    harness = await startHarness(kind, { KLANG_RETRY_SCHEDULE: '700ms' });
    target = await createReceiver();
    target.respond((_request, res) => {
      if (target.requests.length === 1) res.writeHead(503, { 'retry-after': '1' });
      else res.writeHead(200);
      res.end();
    });
    const { conversationId, webhook } = await harness.setup(target.url);
    const eventId = await harness.publish(conversationId);
    await harness.settled(eventId, webhook.id, ['succeeded']);
    const gap = target.requests[1]!.at - target.requests[0]!.at;
    expect(gap).toBeGreaterThanOrEqual(990);
    expect(gap).toBeLessThan(1_400);
    const [first] = await harness.attempts(webhook.id);
    expect(first!.next_retry_at! - first!.created_at).toBeGreaterThanOrEqual(1_000);
  });

  it('caps Retry-After at twice the scheduled delay', async () => {
    harness = await startHarness(kind, { KLANG_RETRY_SCHEDULE: '100ms' });
    target = await createReceiver();
    target.respond((_request, res) => {
      if (target.requests.length === 1) res.writeHead(429, { 'retry-after': '3600' });
      else res.writeHead(204);
      res.end();
    });
    const { conversationId, webhook } = await harness.setup(target.url);
    const eventId = await harness.publish(conversationId);
    await harness.settled(eventId, webhook.id, ['succeeded']);
    const gap = target.requests[1]!.at - target.requests[0]!.at;
    expect(gap).toBeGreaterThanOrEqual(190);
    expect(gap).toBeLessThan(1_000);
  });

  it('gives a failed delivery exactly one more attempt when resent by hand', async () => {
    harness = await startHarness(kind, { KLANG_RETRY_SCHEDULE: '5ms,5ms' });
    target = await createReceiver();
    target.respond(answer(500));
    const { conversationId, webhook } = await harness.setup(target.url);
    const eventId = await harness.publish(conversationId);
    const failed = await harness.settled(eventId, webhook.id, ['failed']);
    expect(failed.attempts).toBe(3);

    expect(await harness.container.repos.deliveries.resend(webhook.id, failed.id)).toBe('queued');
    harness.container.queueSignal.notify();
    await waitFor(
      async () => (await harness.delivery(eventId, webhook.id)).attempts === 4,
      5_000,
      'the resend',
    );
    const after = await harness.settled(eventId, webhook.id, ['failed']);
    expect(after.attempts).toBe(4);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(target.requests).toHaveLength(4);
    expect(target.requests[3]!.headers['webhook-id']).toBe(eventId);

    target.respond(answer(200));
    await harness.container.repos.deliveries.resend(webhook.id, failed.id);
    harness.container.queueSignal.notify();
    expect(await harness.settled(eventId, webhook.id, ['succeeded'])).toMatchObject({ attempts: 5 });
  });
});
