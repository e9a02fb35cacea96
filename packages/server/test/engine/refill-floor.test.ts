// Refills start where a webhook's last refills got to; a delivery that comes back unheld behind that
// point (here: one another worker leased and left to expire) is still sent while the webhook stays
// saturated, not after its backlog drains.
import { afterEach, describe, expect, it } from 'vitest';
import { newId } from '../../src/domain/ids.ts';
import { DATABASE_KINDS } from '../support/databases.ts';
import { type EngineHarness, startHarness } from './support/engine.ts';
import { createReceiver, type Receiver, waitFor } from './support/receiver.ts';

const BACKLOG = 600;
const ANSWER_MS = 10;

describe.each(DATABASE_KINDS)('refill floor (%s)', (kind) => {
  let harness: EngineHarness;
  let receiver: Receiver;

  afterEach(async () => {
    await harness?.dispose();
    await receiver?.close();
  });

  it('sends a delivery left behind the refills within a poll interval while the webhook stays busy', async () => {
    // Two sends at a time at ~10 ms each: the backlog keeps the webhook saturated for about 3 s.
    harness = await startHarness(kind, { KLANG_WEBHOOK_CONCURRENCY: '2', KLANG_POLL_INTERVAL: '200ms' });
    receiver = await createReceiver();
    receiver.respond((_request, res) => {
      setTimeout(() => res.writeHead(204).end(), ANSWER_MS);
    });
    const { webhook, conversationId } = await harness.setup(`${receiver.url}/hook`);
    for (let i = 0; i < BACKLOG; i += 50) {
      await Promise.all(Array.from({ length: 50 }, () => harness.publish(conversationId)));
    }
    await waitFor(() => receiver.requests.length >= 60, 10_000, 'the webhook to be busy');

    // Due before everything the worker leased, locked by a worker that is gone (its lease expired).
    const { db } = harness.database;
    const past = Date.now() - 60_000;
    const event = newId.event();
    await db
      .insertInto('events')
      .values({
        id: event,
        type: 'conversation.failed',
        conversation_id: conversationId,
        payload: JSON.stringify({ id: event, type: 'conversation.failed' }),
        test: 0,
        created_at: past,
      })
      .execute();
    await db
      .insertInto('deliveries')
      .values({
        id: newId.delivery(),
        event_id: event,
        webhook_id: webhook.id,
        status: 'pending',
        status_reason: null,
        test: 0,
        attempts: 0,
        next_attempt_at: past,
        locked_until: past + 1,
        locked_by: 'wrk_gone',
        created_at: past,
        updated_at: past,
      })
      .execute();
    const leftAt = receiver.requests.length;

    const sent = await waitFor(
      () => receiver.requests.find((r) => r.headers['webhook-id'] === event),
      10_000,
      'the delivery left behind',
    );
    const deliveredBefore = receiver.requests.indexOf(sent);
    // Sent while most of the backlog was still waiting (a poll interval is ~40 sends here).
    expect(deliveredBefore - leftAt).toBeLessThan(BACKLOG / 2);
  });
});
