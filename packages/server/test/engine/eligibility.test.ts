// Who may still receive: auto-pause at 25 consecutive failures (and the reset by a success), pause
// and resume by the owner, and cancellation when the owner loses access or plan before a retry.
import { afterEach, expect, it } from 'vitest';
import { describeEachDatabase } from '../support/databases.ts';
import { insertConversation, insertUser, insertWebhook } from '../support/fixtures.ts';
import { type EngineHarness, startHarness } from './support/engine.ts';
import { answer, createReceiver, type Receiver, waitFor } from './support/receiver.ts';

const quiet = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeEachDatabase('eligibility and auto-pause (%s)', (kind) => {
  let harness: EngineHarness;
  let target: Receiver;

  afterEach(async () => {
    await harness?.dispose();
    await target?.close();
  });

  it('auto-pauses after 25 consecutive failed attempts and sends nothing more', async () => {
    harness = await startHarness(kind, {
      KLANG_RETRY_SCHEDULE: '1ms,1ms,1ms,1ms,1ms,1ms',
      KLANG_WEBHOOK_CONCURRENCY: '1',
    });
    target = await createReceiver();
    target.respond(answer(500));
    const { userId, conversationId, webhook } = await harness.setup(target.url);
    const owner = { id: userId, plan: 'pro' as const };
    const events: string[] = [];
    for (let i = 0; i < 5; i++) events.push(await harness.publish(conversationId));

    await waitFor(
      async () => (await harness.webhook(webhook.id)).status === 'auto_paused',
      10_000,
      'auto-pause',
    );
    const paused = await harness.webhook(webhook.id);
    expect(paused.consecutive_failures).toBe(25);
    expect(paused.status_reason).toContain('25 consecutive failed attempts');
    await quiet(300);
    expect(target.requests).toHaveLength(25);
    expect(await harness.attempts(webhook.id)).toHaveLength(25);
    const statuses = await Promise.all(events.map((id) => harness.delivery(id, webhook.id)));
    expect(statuses.filter((d) => d.status === 'pending').length).toBeGreaterThan(0);
    expect(statuses.every((d) => d.locked_by === null)).toBe(true);

    // Resuming through the service (as the API does) starts the count over and lets the queued
    // deliveries continue.
    target.respond(answer(200));
    await harness.container.services.webhooks.resume(owner, webhook.id, false);
    expect(await harness.webhook(webhook.id)).toMatchObject({ status: 'active', consecutive_failures: 0 });
    for (const id of events) {
      const row = await harness.delivery(id, webhook.id);
      if (row.status === 'pending') await harness.settled(id, webhook.id, ['succeeded']);
    }
  });

  it('resets the failure count on a success after 24 failures', async () => {
    harness = await startHarness(kind, {
      KLANG_RETRY_SCHEDULE: '1ms,1ms,1ms,1ms,1ms,1ms',
      KLANG_WEBHOOK_CONCURRENCY: '1',
    });
    target = await createReceiver();
    target.respond((_request, res) => {
      res.writeHead(target.requests.length <= 24 ? 500 : 200);
      res.end();
    });
    const { conversationId, webhook } = await harness.setup(target.url);
    const events: string[] = [];
    for (let i = 0; i < 5; i++) events.push(await harness.publish(conversationId));
    for (const id of events) await harness.settled(id, webhook.id, ['succeeded', 'failed']);

    const after = await harness.webhook(webhook.id);
    expect(after).toMatchObject({ status: 'active', consecutive_failures: 0 });
    const attempts = await harness.attempts(webhook.id);
    expect(attempts.filter((a) => a.outcome === 'failed')).toHaveLength(24);
    const stats = await harness.database.db.selectFrom('webhook_stats_hourly').selectAll().execute();
    expect(stats.reduce((sum, row) => sum + Number(row.failed), 0)).toBe(24);
    expect(stats.reduce((sum, row) => sum + Number(row.succeeded), 0)).toBe(attempts.length - 24);
  });

  it('holds deliveries of a paused webhook and continues after resume', async () => {
    harness = await startHarness(kind, { KLANG_RETRY_SCHEDULE: '50ms' });
    target = await createReceiver();
    target.respond(answer(500));
    const { userId, conversationId, webhook } = await harness.setup(target.url);
    const owner = { id: userId, plan: 'pro' as const };
    const { webhooks } = harness.container.services;
    const eventId = await harness.publish(conversationId);
    await waitFor(() => target.requests.length === 1, 5_000, 'the first attempt');
    expect((await webhooks.pause(owner, webhook.id)).status).toBe('paused');
    target.respond(answer(200));
    await quiet(400);
    expect(target.requests).toHaveLength(1);
    expect(await harness.delivery(eventId, webhook.id)).toMatchObject({ status: 'pending', attempts: 1 });

    await webhooks.resume(owner, webhook.id, false);
    expect(await harness.settled(eventId, webhook.id, ['succeeded'])).toMatchObject({ attempts: 2 });
  });

  it('cancels remaining retries when the owner loses access to the conversation', async () => {
    harness = await startHarness(kind, { KLANG_RETRY_SCHEDULE: '150ms' });
    target = await createReceiver();
    target.respond(answer(500));
    const { db } = harness.database;
    const owner = await insertUser(db, 'pro');
    const reader = await insertUser(db, 'pro');
    const conversationId = await insertConversation(db, owner, { users: [reader] });
    const webhook = await insertWebhook(db, harness.container.secretBox, reader, { url: target.url });
    const eventId = await harness.publish(conversationId);
    await waitFor(() => target.requests.length === 1, 5_000, 'the first attempt');
    await waitFor(async () => (await harness.attempts(webhook.id)).length === 1, 5_000, 'the first record');

    await db
      .deleteFrom('conversation_user_shares')
      .where('conversation_id', '=', conversationId)
      .where('user_id', '=', reader)
      .execute();
    target.respond(answer(200));
    const delivery = await harness.settled(eventId, webhook.id, ['cancelled', 'succeeded']);
    expect(delivery).toMatchObject({ status: 'cancelled', status_reason: 'access_revoked', attempts: 1 });
    expect(target.requests).toHaveLength(1);
    const [attempt] = await harness.attempts(webhook.id);
    expect(attempt!.next_retry_at).toBeNull();
  });

  it('cancels deliveries when the owner is downgraded to free', async () => {
    harness = await startHarness(kind, { KLANG_RETRY_SCHEDULE: '150ms' });
    target = await createReceiver();
    target.respond(answer(500));
    const { userId, conversationId, webhook } = await harness.setup(target.url);
    const eventId = await harness.publish(conversationId);
    await waitFor(async () => (await harness.attempts(webhook.id)).length === 1, 5_000, 'the first record');
    await harness.database.db.updateTable('users').set({ plan: 'free' }).where('id', '=', userId).execute();
    target.respond(answer(200));
    const delivery = await harness.settled(eventId, webhook.id, ['cancelled', 'succeeded']);
    expect(delivery).toMatchObject({ status: 'cancelled', status_reason: 'plan_inactive' });
    expect(target.requests).toHaveLength(1);
  });

  it('stops sending to a deleted webhook', async () => {
    harness = await startHarness(kind, { KLANG_RETRY_SCHEDULE: '100ms' });
    target = await createReceiver();
    target.respond(answer(500));
    const { userId, conversationId, webhook } = await harness.setup(target.url);
    const eventId = await harness.publish(conversationId);
    await waitFor(async () => (await harness.attempts(webhook.id)).length === 1, 5_000, 'the first record');
    await harness.container.services.webhooks.remove({ id: userId, plan: 'pro' }, webhook.id);
    await quiet(300);
    expect(target.requests).toHaveLength(1);
    const rows = await harness.database.db
      .selectFrom('deliveries')
      .selectAll()
      .where('event_id', '=', eventId)
      .execute();
    expect(rows).toHaveLength(0);
  });
});
