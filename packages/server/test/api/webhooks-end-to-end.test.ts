// The management API with the engine running, against a real receiver on 127.0.0.1: the README's
// walkthrough (create, test event, attempt detail, stats, rotate, resend, pause/resume, delete), with
// every request verified by the public `standardwebhooks` package.
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Engine, startEngine } from '../../src/engine/index.ts';
import { answer, createReceiver, type Receiver, waitFor } from '../engine/support/receiver.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { createUserWithToken } from '../support/users.ts';
import { type ApiCaller, apiAs, publishEvent } from '../support/webhook-api.ts';

describeEachDatabase('webhooks end to end on %s', (kind) => {
  let t: TestApp;
  let engine: Engine;
  let receiver: Receiver;
  let api: ApiCaller;
  let userId: string;
  let webhook: { id: string; secret: string; url: string };

  beforeAll(async () => {
    // Retries an hour apart, so every second request in these tests is one the test asked for.
    t = await createTestApp(kind, { KLANG_RETRY_SCHEDULE: '1h', KLANG_POLL_INTERVAL: '50ms' });
    engine = await startEngine(t.container);
    receiver = await createReceiver();
    const user = await createUserWithToken(t, 'pro');
    userId = user.userId;
    api = apiAs(t, user.headers);
  });
  afterAll(async () => {
    await engine?.stop();
    await receiver?.close();
    await t?.dispose();
  });

  const received = (count: number) =>
    waitFor(() => receiver.requests.length >= count && receiver.requests, 10_000, `${count} requests`);

  const verify = (secret: string, index: number) => {
    const request = receiver.requests[index]!;
    return new StandardWebhook(secret).verify(request.body, request.headers) as { id: string; type: string };
  };

  it('creates a webhook and delivers a signed test event that standardwebhooks verifies', async () => {
    const created = await api.post('/webhooks', {
      url: `${receiver.url}/hooks/klang`,
      description: 'end to end',
      events: ['conversation.ready', 'conversation.failed'],
    });
    expect(created.statusCode).toBe(201);
    webhook = created.json();

    const sent = await api.post(`/webhooks/${webhook.id}/test`, { type: 'conversation.ready' });
    expect(sent.statusCode).toBe(202);
    const eventId = sent.json().event_id as string;
    expect(eventId).toMatch(/^evt_test_/);

    await received(1);
    const request = receiver.requests[0]!;
    expect(request.path).toBe('/hooks/klang');
    expect(request.headers['webhook-id']).toBe(eventId);
    const payload = verify(webhook.secret, 0);
    expect(payload).toMatchObject({
      id: eventId,
      type: 'conversation.ready',
      data: { conversation: { id: 'conv_sample' } },
    });
    expect(() =>
      new StandardWebhook(`whsec_${Buffer.alloc(32, 7).toString('base64')}`).verify(
        request.body,
        request.headers,
      ),
    ).toThrow();
  });

  it('records the attempt with request and response, marked test, and counts it in the stats', async () => {
    const list = await waitFor(async () => {
      const page = (await api.get(`/webhooks/${webhook.id}/attempts`)).json();
      return page.data.length === 1 && page;
    });
    const summary = list.data[0];
    expect(summary).toMatchObject({
      event_id: receiver.requests[0]!.headers['webhook-id'],
      event_type: 'conversation.ready',
      attempt: 1,
      test: true,
      outcome: 'succeeded',
      response_status: 200,
      error: null,
      next_retry_at: null,
    });
    const detail = (await api.get(`/webhooks/${webhook.id}/attempts/${summary.id}`)).json();
    expect(detail.request.body).toBe(receiver.requests[0]!.body);
    expect(detail.request.headers).toMatchObject({
      'webhook-id': summary.event_id,
      'webhook-signature': receiver.requests[0]!.headers['webhook-signature'],
      'content-type': 'application/json',
    });
    expect(detail.response).toEqual({
      status: 200,
      headers: expect.objectContaining({ 'content-type': 'text/plain' }),
      body: 'ok',
      truncated: false,
    });

    const stats = (await api.get(`/webhooks/${webhook.id}/stats`)).json();
    expect(stats).toMatchObject({ delivered: 1, failed: 0, attempts: 1, error_rate: 0 });
    expect(stats.avg_response_ms).toBeGreaterThanOrEqual(0);
    expect(stats.activity[23]).toMatchObject({ succeeded: 1, failed: 0 });
    const listed = (await api.get('/webhooks')).json().data[0];
    expect(listed.activity_24h).toMatchObject({ succeeded: 1, failed: 0 });
  });

  it('signs with both secrets for 24 hours after a rotation', async () => {
    const rotated = (await api.post(`/webhooks/${webhook.id}/secret/rotate`)).json();
    expect(rotated.secret).not.toBe(webhook.secret);
    const sent = await api.post(`/webhooks/${webhook.id}/test`, { type: 'conversation.failed' });
    expect(sent.statusCode).toBe(202);
    await received(2);
    expect(receiver.requests[1]!.headers['webhook-signature']!.split(' ')).toHaveLength(2);
    expect(verify(rotated.secret, 1)).toMatchObject({
      id: sent.json().event_id,
      type: 'conversation.failed',
    });
    expect(verify(webhook.secret, 1).id).toBe(sent.json().event_id);
    webhook.secret = rotated.secret;
  });

  it('resends a failed delivery: a new attempt of the same event, same webhook-id', async () => {
    receiver.respond(answer(500, {}, 'down'));
    const sent = await api.post(`/webhooks/${webhook.id}/test`, { type: 'conversation.ready' });
    const eventId = sent.json().event_id as string;
    await received(3);
    const failed = await waitFor(async () => {
      const page = (await api.get(`/webhooks/${webhook.id}/attempts?status=failed`)).json();
      return page.data.length === 1 && page.data[0];
    });
    expect(failed).toMatchObject({ event_id: eventId, outcome: 'failed', response_status: 500 });
    expect(failed.next_retry_at).not.toBeNull();

    receiver.respond(answer(204));
    const resent = await api.post(`/webhooks/${webhook.id}/deliveries/${failed.delivery_id}/resend`);
    expect(resent.statusCode).toBe(202);
    await received(4);
    expect(receiver.requests[3]!.headers['webhook-id']).toBe(eventId);
    expect(verify(webhook.secret, 3).id).toBe(eventId);
    const attempts = await waitFor(async () => {
      const page = (await api.get(`/webhooks/${webhook.id}/attempts?limit=2`)).json();
      return page.data[0]?.event_id === eventId && page.data[0].outcome === 'succeeded' && page.data;
    });
    expect(attempts.map((a: { attempt: number }) => a.attempt)).toEqual([2, 1]);
    const stats = (await api.get(`/webhooks/${webhook.id}/stats`)).json();
    expect(stats).toMatchObject({ delivered: 3, failed: 1, attempts: 4, error_rate: 0.25 });
  });

  it('sends nothing while paused and, on resume with send_missed, the missed events', async () => {
    const before = receiver.requests.length;
    expect((await api.post(`/webhooks/${webhook.id}/pause`)).json().status).toBe('paused');
    // A second, active webhook gets the same event: proof the worker ran while this one was paused.
    const other = (
      await api.post('/webhooks', { url: `${receiver.url}/other`, events: ['conversation.ready'] })
    ).json();
    const missed = await publishEvent(t, userId, 'conversation.ready');
    const ignored = await publishEvent(t, userId, 'conversation.deleted');
    await waitFor(() =>
      receiver.requests.some((r) => r.path === '/other' && r.headers['webhook-id'] === missed),
    );
    expect(receiver.requests.filter((r) => r.path === '/hooks/klang')).toHaveLength(before);

    const resumed = await api.post(`/webhooks/${webhook.id}/resume`, { send_missed: true });
    expect(resumed.json().status).toBe('active');
    const delivered = await waitFor(() =>
      receiver.requests.find((r) => r.path === '/hooks/klang' && r.headers['webhook-id'] === missed),
    );
    expect(verify(webhook.secret, receiver.requests.indexOf(delivered)).id).toBe(missed);
    // Not subscribed to conversation.deleted: never sent.
    expect(receiver.requests.some((r) => r.headers['webhook-id'] === ignored)).toBe(false);
    await api.del(`/webhooks/${other.id}`);
  });

  it('deletes the webhook with its history', async () => {
    expect((await api.del(`/webhooks/${webhook.id}`)).statusCode).toBe(204);
    expect((await api.get(`/webhooks/${webhook.id}/attempts`)).statusCode).toBe(404);
    const rows = await t.database.db
      .selectFrom('attempts')
      .select('id')
      .where('webhook_id', '=', webhook.id)
      .execute();
    expect(rows).toEqual([]);
  });
});
