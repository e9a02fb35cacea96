// The management API with the engine running, against real receivers on 127.0.0.1: the README's
// walkthrough (create, test event, attempt detail, stats, rotate, resend, pause/resume, delete), with
// every request verified by the public `standardwebhooks` package. Each test has its own receiver and
// webhook, so any one of them runs alone or in any order.
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { type Engine, startEngine } from '../../src/engine/index.ts';
import { answer, createReceiver, type Receiver, waitFor } from '../engine/support/receiver.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { createUserWithToken } from '../support/users.ts';
import { type ApiCaller, apiAs, publishEvent } from '../support/webhook-api.ts';

interface Endpoint {
  receiver: Receiver;
  webhook: { id: string; secret: string; url: string };
  /** Resolves once the receiver has `count` requests. */
  received(count: number): Promise<unknown>;
  /** Verifies request `index` with `secret` and returns its payload. */
  verify(secret: string, index: number): { id: string; type: string };
}

describeEachDatabase('webhooks end to end on %s', (kind) => {
  let t: TestApp;
  let engine: Engine;
  let api: ApiCaller;
  let userId: string;
  const receivers: Receiver[] = [];

  beforeAll(async () => {
    // Retries an hour apart, so every second request in these tests is one the test asked for.
    t = await createTestApp(kind, { KLANG_RETRY_SCHEDULE: '1h', KLANG_POLL_INTERVAL: '50ms' });
    engine = await startEngine(t.container);
    const user = await createUserWithToken(t, 'pro');
    userId = user.userId;
    api = apiAs(t, user.headers);
  });
  afterEach(async () => {
    await Promise.all(receivers.splice(0).map((receiver) => receiver.close()));
  });
  afterAll(async () => {
    await engine?.stop();
    await t?.dispose();
  });

  /** A receiver of its own and a webhook pointing at it. */
  async function endpoint(events = ['conversation.ready', 'conversation.failed']): Promise<Endpoint> {
    const receiver = await createReceiver();
    receivers.push(receiver);
    const created = await api.post('/webhooks', {
      url: `${receiver.url}/hooks/klang`,
      description: 'end to end',
      events,
    });
    expect(created.statusCode).toBe(201);
    return {
      receiver,
      webhook: created.json(),
      received: (count) =>
        waitFor(() => receiver.requests.length >= count && receiver.requests, 10_000, `${count} requests`),
      verify: (secret, index) => {
        const request = receiver.requests[index]!;
        return new StandardWebhook(secret).verify(request.body, request.headers) as {
          id: string;
          type: string;
        };
      },
    };
  }

  /** Sends a test event and waits until the receiver has `count` requests. */
  async function sendTest(e: Endpoint, type: string, count: number): Promise<string> {
    const sent = await api.post(`/webhooks/${e.webhook.id}/test`, { type });
    expect(sent.statusCode).toBe(202);
    await e.received(count);
    return sent.json().event_id as string;
  }

  it('creates a webhook and delivers a signed test event that standardwebhooks verifies', async () => {
    const e = await endpoint();
    const eventId = await sendTest(e, 'conversation.ready', 1);
    expect(eventId).toMatch(/^evt_test_/);
    const request = e.receiver.requests[0]!;
    expect(request.path).toBe('/hooks/klang');
    expect(request.headers['webhook-id']).toBe(eventId);
    expect(e.verify(e.webhook.secret, 0)).toMatchObject({
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
    const e = await endpoint();
    const eventId = await sendTest(e, 'conversation.ready', 1);
    const { id } = e.webhook;
    const list = await waitFor(async () => {
      const page = (await api.get(`/webhooks/${id}/attempts`)).json();
      return page.data.length === 1 && page;
    });
    const summary = list.data[0];
    expect(summary).toMatchObject({
      event_id: eventId,
      event_type: 'conversation.ready',
      attempt: 1,
      test: true,
      outcome: 'succeeded',
      response_status: 200,
      error: null,
      next_retry_at: null,
    });
    const request = e.receiver.requests[0]!;
    const detail = (await api.get(`/webhooks/${id}/attempts/${summary.id}`)).json();
    expect(detail.request.body).toBe(request.body);
    // The row keeps the signature; the other headers are rebuilt: exactly those received, in order.
    const sentNames = ['content-type', 'user-agent', 'webhook-id', 'webhook-timestamp', 'webhook-signature'];
    expect(Object.keys(detail.request.headers)).toEqual(sentNames);
    for (const name of sentNames) expect(detail.request.headers[name], name).toBe(request.headers[name]);
    expect(detail.request.headers['webhook-id']).toBe(summary.event_id);
    expect(detail.response).toEqual({
      status: 200,
      headers: expect.objectContaining({ 'content-type': 'text/plain' }),
      body: 'ok',
      body_base64: null,
      truncated: false,
    });

    const stats = (await api.get(`/webhooks/${id}/stats`)).json();
    expect(stats).toMatchObject({ delivered: 1, failed: 0, attempts: 1, error_rate: 0 });
    expect(stats.avg_response_ms).toBeGreaterThanOrEqual(0);
    expect(stats.activity[23]).toMatchObject({ succeeded: 1, failed: 0 });
    const listed = (await api.get('/webhooks')).json().data.find((w: { id: string }) => w.id === id);
    expect(listed.activity_24h).toMatchObject({ succeeded: 1, failed: 0 });
  });

  it('signs with both secrets for 24 hours after a rotation', async () => {
    const e = await endpoint();
    const rotated = (await api.post(`/webhooks/${e.webhook.id}/secret/rotate`)).json();
    expect(rotated.secret).not.toBe(e.webhook.secret);
    const eventId = await sendTest(e, 'conversation.failed', 1);
    const sent = e.receiver.requests[0]!.headers['webhook-signature']!;
    expect(sent.split(' ')).toHaveLength(2);
    expect(e.verify(rotated.secret, 0)).toMatchObject({ id: eventId, type: 'conversation.failed' });
    expect(e.verify(e.webhook.secret, 0).id).toBe(eventId);
    const attempts = await waitFor(async () => {
      const page = (await api.get(`/webhooks/${e.webhook.id}/attempts`)).json();
      return page.data.length === 1 && page.data;
    });
    const detail = (await api.get(`/webhooks/${e.webhook.id}/attempts/${attempts[0].id}`)).json();
    expect(detail.request.headers['webhook-signature']).toBe(sent);
  });

  it('resends a failed delivery: a new attempt of the same event, same webhook-id', async () => {
    const e = await endpoint();
    const { id } = e.webhook;
    e.receiver.respond(answer(500, {}, 'down'));
    const eventId = await sendTest(e, 'conversation.ready', 1);
    const failed = await waitFor(async () => {
      const page = (await api.get(`/webhooks/${id}/attempts?status=failed`)).json();
      return page.data.length === 1 && page.data[0];
    });
    expect(failed).toMatchObject({ event_id: eventId, outcome: 'failed', response_status: 500 });
    expect(failed.next_retry_at).not.toBeNull();

    e.receiver.respond(answer(204));
    const resent = await api.post(`/webhooks/${id}/deliveries/${failed.delivery_id}/resend`);
    expect(resent.statusCode).toBe(202);
    await e.received(2);
    expect(e.receiver.requests[1]!.headers['webhook-id']).toBe(eventId);
    expect(e.verify(e.webhook.secret, 1).id).toBe(eventId);
    const attempts = await waitFor(async () => {
      const page = (await api.get(`/webhooks/${id}/attempts?limit=2`)).json();
      return page.data[0]?.event_id === eventId && page.data[0].outcome === 'succeeded' && page.data;
    });
    expect(attempts.map((a: { attempt: number }) => a.attempt)).toEqual([2, 1]);
    const stats = (await api.get(`/webhooks/${id}/stats`)).json();
    expect(stats).toMatchObject({ delivered: 1, failed: 1, attempts: 2, error_rate: 0.5 });
  });

  it('sends nothing while paused and, on resume with send_missed, the missed events', async () => {
    const e = await endpoint();
    const { id } = e.webhook;
    expect((await api.post(`/webhooks/${id}/pause`)).json().status).toBe('paused');
    // A second, active webhook gets the same event: proof the worker ran while this one was paused.
    const other = await endpoint(['conversation.ready']);
    const missed = await publishEvent(t, userId, 'conversation.ready');
    const ignored = await publishEvent(t, userId, 'conversation.deleted');
    await waitFor(() => other.receiver.requests.some((r) => r.headers['webhook-id'] === missed));
    expect(e.receiver.requests).toHaveLength(0);
    await api.del(`/webhooks/${other.webhook.id}`);

    const resumed = await api.post(`/webhooks/${id}/resume`, { send_missed: true });
    expect(resumed.json().status).toBe('active');
    const delivered = await waitFor(() =>
      e.receiver.requests.find((r) => r.headers['webhook-id'] === missed),
    );
    expect(e.verify(e.webhook.secret, e.receiver.requests.indexOf(delivered)).id).toBe(missed);
    // Not subscribed to conversation.deleted: never sent.
    expect(e.receiver.requests.some((r) => r.headers['webhook-id'] === ignored)).toBe(false);
  });

  it('deletes the webhook with its history', async () => {
    const e = await endpoint();
    await sendTest(e, 'conversation.ready', 1);
    const { id } = e.webhook;
    await waitFor(async () => (await api.get(`/webhooks/${id}/attempts`)).json().data.length === 1);
    expect((await api.del(`/webhooks/${id}`)).statusCode).toBe(204);
    expect((await api.get(`/webhooks/${id}/attempts`)).statusCode).toBe(404);
    const rows = await t.database.db
      .selectFrom('attempts')
      .select('id')
      .where('webhook_id', '=', id)
      .execute();
    expect(rows).toEqual([]);
  });
});
