// End-to-end delivery through the running engine to real receivers: signed requests verified by the
// public libraries, attempt records, hourly stats, rotation overlap and test events.
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import { afterEach, beforeAll, expect, it } from 'vitest';
import { newId } from '../../src/domain/ids.ts';
import { generateSigningSecret } from '../../src/domain/secrets.ts';
import { USER_AGENT } from '../../src/engine/user-agent.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { type EngineHarness, startHarness } from './support/engine.ts';
import {
  answer,
  createReceiver,
  type Receiver,
  type TestCertificate,
  testCertificate,
  waitFor,
} from './support/receiver.ts';

describeEachDatabase('delivery (%s)', (kind) => {
  let certificate: TestCertificate;
  let harness: EngineHarness;
  const receivers: Receiver[] = [];

  beforeAll(async () => {
    certificate = await testCertificate();
  });
  afterEach(async () => {
    await harness?.dispose();
    await Promise.all(receivers.splice(0).map((r) => r.close()));
  });

  async function receiver(tls = false) {
    const created = await createReceiver(tls ? { tls: certificate } : {});
    receivers.push(created);
    return created;
  }

  it('delivers a signed request over HTTPS that standardwebhooks and svix verify', async () => {
    harness = await startHarness(kind, {}, { ca: certificate.cert });
    const target = await receiver(true);
    target.respond(answer(200, { 'content-type': 'application/json', 'x-receiver': 'yes' }, '{"ok":true}'));
    const { conversationId, webhook } = await harness.setup(`${target.url}/hooks/klang`);
    const eventId = await harness.publish(conversationId);

    const delivery = await harness.settled(eventId, webhook.id);
    expect(delivery).toMatchObject({ status: 'succeeded', attempts: 1, locked_by: null });
    expect(target.requests).toHaveLength(1);
    const request = target.requests[0]!;
    expect(request.path).toBe('/hooks/klang');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['user-agent']).toBe(USER_AGENT);
    expect(USER_AGENT).toMatch(/^Klang-Webhooks\/\d+\.\d+\.\d+/);
    expect(request.headers['webhook-id']).toBe(eventId);
    expect(request.headers['webhook-timestamp']).toMatch(/^\d{10}$/);
    const payload = JSON.parse(request.body);
    expect(payload).toMatchObject({
      id: eventId,
      type: 'conversation.ready',
      data: { conversation: { id: conversationId } },
    });
    expect(new StandardWebhook(webhook.secret).verify(request.body, request.headers)).toEqual(payload);
    const svixHeaders = {
      'svix-id': request.headers['webhook-id']!,
      'svix-timestamp': request.headers['webhook-timestamp']!,
      'svix-signature': request.headers['webhook-signature']!,
    };
    expect(new SvixWebhook(webhook.secret).verify(request.body, svixHeaders)).toEqual(payload);

    const [attempt] = await harness.attempts(webhook.id);
    expect(attempt).toMatchObject({
      attempt: 1,
      outcome: 'succeeded',
      error: null,
      response_status: 200,
      response_body: '{"ok":true}',
      response_truncated: 0,
      next_retry_at: null,
      test: 0,
    });
    // The row keeps the signature sent; the other request headers follow from the row.
    expect(attempt!.request_signature).toBe(request.headers['webhook-signature']);
    expect(attempt!.request_headers).toBe('{}');
    expect(String(Math.floor(Number(attempt!.created_at) / 1000))).toBe(request.headers['webhook-timestamp']);
    const stats = await harness.database.db.selectFrom('webhook_stats_hourly').selectAll().execute();
    expect(stats).toHaveLength(1);
    expect(stats[0]).toMatchObject({ webhook_id: webhook.id, succeeded: 1, failed: 0, response_count: 1 });
    expect(Number(stats[0]!.hour) % 3_600_000).toBe(0);
  });

  it('fans one event out to several webhooks and counts stats per webhook and hour', async () => {
    harness = await startHarness(kind);
    const ok = await receiver();
    const failing = await receiver();
    failing.respond(answer(500, {}, 'nope'));
    const first = await harness.setup(ok.url);
    const second = await harness.setup(failing.url);
    const events = [];
    for (let i = 0; i < 5; i++) events.push(await harness.publish(first.conversationId));
    await harness.publish(second.conversationId);
    for (const eventId of events) await harness.settled(eventId, first.webhook.id, ['succeeded']);
    await waitFor(
      async () => (await harness.attempts(second.webhook.id)).length >= 2,
      5_000,
      'second attempt',
    );
    const rows = await harness.database.db.selectFrom('webhook_stats_hourly').selectAll().execute();
    const byWebhook = Object.fromEntries(rows.map((row) => [row.webhook_id, row]));
    expect(byWebhook[first.webhook.id]).toMatchObject({ succeeded: 5, failed: 0, response_count: 5 });
    expect(Number(byWebhook[second.webhook.id]!.failed)).toBeGreaterThanOrEqual(2);
    expect(Number(byWebhook[second.webhook.id]!.succeeded)).toBe(0);
  });

  it('signs with both secrets during a rotation overlap', async () => {
    harness = await startHarness(kind);
    const target = await receiver();
    const { conversationId, webhook } = await harness.setup(target.url);
    const previous = generateSigningSecret();
    await harness.database.db
      .updateTable('webhooks')
      .set({
        previous_secret_enc: harness.container.secretBox.seal(previous),
        previous_secret_expires_at: Date.now() + 60_000,
      })
      .where('id', '=', webhook.id)
      .execute();
    const eventId = await harness.publish(conversationId);
    await harness.settled(eventId, webhook.id, ['succeeded']);
    const request = target.requests[0]!;
    expect(request.headers['webhook-signature']!.split(' ')).toHaveLength(2);
    expect(new StandardWebhook(webhook.secret).verify(request.body, request.headers)).toBeTruthy();
    expect(new StandardWebhook(previous).verify(request.body, request.headers)).toBeTruthy();
  });

  it('delivers test events without a conversation and tags their attempts', async () => {
    harness = await startHarness(kind);
    const target = await receiver();
    const { webhook } = await harness.setup(target.url);
    const eventId = newId.testEvent();
    const payload = JSON.stringify({
      id: eventId,
      type: 'conversation.ready',
      created_at: new Date().toISOString(),
      data: {},
    });
    await harness.container.repos.events.publishTest(
      {
        id: eventId,
        type: 'conversation.ready',
        conversationId: null,
        payload,
        test: true,
        createdAt: Date.now(),
      },
      webhook.id,
    );
    harness.container.queueSignal.notify();
    await harness.settled(eventId, webhook.id, ['succeeded']);
    expect(target.requests[0]!.headers['webhook-id']).toBe(eventId);
    expect(target.requests[0]!.body).toBe(payload);
    expect((await harness.attempts(webhook.id))[0]).toMatchObject({ test: 1, outcome: 'succeeded' });
  });

  it('keeps a heartbeat row while running and removes it on stop', async () => {
    harness = await startHarness(kind);
    const workers = () => harness.database.db.selectFrom('workers').selectAll().execute();
    const rows = await workers();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.id).toBe(harness.engine.workerId);
    expect(Date.now() - Number(rows[0]!.heartbeat_at)).toBeLessThan(15_000);
    await harness.stopEngine();
    expect(await workers()).toHaveLength(0);
  });
});
