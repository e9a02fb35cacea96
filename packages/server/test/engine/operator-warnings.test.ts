// What an operator hears at warn from a worker: the webhook it auto-paused, and results dropped
// because another worker took their deliveries back (a lost lease), on both databases.
import { afterEach, expect, it } from 'vitest';
import { describeEachDatabase } from '../support/databases.ts';
import { type EngineHarness, startHarness } from './support/engine.ts';
import { answer, createReceiver, type Receiver, waitFor } from './support/receiver.ts';

describeEachDatabase('operator warnings (%s)', (kind) => {
  let harness: EngineHarness;
  let target: Receiver;

  const warned = (match: (line: Record<string, unknown>) => boolean) => {
    const lines = harness.warnings.filter(match);
    return lines.length > 0 && lines;
  };

  afterEach(async () => {
    await harness?.dispose();
    await target?.close();
  });

  it('logs the auto-pause of a webhook once, with its id', async () => {
    harness = await startHarness(kind, {
      KLANG_RETRY_SCHEDULE: '1ms,1ms,1ms,1ms,1ms,1ms',
      KLANG_WEBHOOK_CONCURRENCY: '1',
    });
    target = await createReceiver();
    target.respond(answer(500));
    const { conversationId, webhook } = await harness.setup(target.url);
    for (let i = 0; i < 5; i++) await harness.publish(conversationId);
    await waitFor(
      async () => (await harness.webhook(webhook.id)).status === 'auto_paused',
      10_000,
      'auto-pause',
    );
    const paused = await waitFor(
      () => warned((line) => line.msg === 'webhook auto-paused after consecutive failures'),
      5_000,
      'the warning',
    );
    expect(paused).toEqual([
      expect.objectContaining({ level: 40, webhookId: webhook.id, consecutiveFailures: 25 }),
    ]);
  });

  it('logs results dropped because their lease was lost, and keeps the delivery for the new holder', async () => {
    harness = await startHarness(kind);
    target = await createReceiver();
    let answerNow: (() => void) | undefined;
    target.respond((_request, res) => {
      answerNow = () => answer(200)(_request, res);
    });
    const { conversationId, webhook } = await harness.setup(target.url);
    const eventId = await harness.publish(conversationId);
    await waitFor(() => answerNow !== undefined, 10_000, 'the request in flight');
    // Another worker took the delivery over (as after an expired lease) while the answer was pending.
    await harness.database.db
      .updateTable('deliveries')
      .set({ locked_by: 'wrk_other' })
      .where('event_id', '=', eventId)
      .execute();
    answerNow?.();
    const lost = await waitFor(
      () => warned((line) => String(line.msg).startsWith('lease lost')),
      5_000,
      'the warning',
    );
    expect(lost).toEqual([expect.objectContaining({ level: 40, results: 1 })]);
    const row = await harness.delivery(eventId, webhook.id);
    expect(row).toMatchObject({ status: 'pending', attempts: 0, locked_by: 'wrk_other' });
    expect(await harness.attempts(webhook.id)).toHaveLength(0);
  });
});
