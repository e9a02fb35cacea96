// Poison results: a receiver answering 200 with a NUL byte and invalid UTF-8 is recorded once and shown
// readably, and a result that cannot be written becomes a failed attempt of its own delivery without
// rolling back the other tenants' results written with it.
import { afterEach, describe, expect, it } from 'vitest';
import { createQueueRepo, type QueueResult } from '../../src/db/repos/queue-repo.ts';
import { createResultWriter } from '../../src/engine/result-writer.ts';
import { attemptResult, unrecordableResult } from '../../src/engine/results.ts';
import { attemptDetailView } from '../../src/http/routes/api/webhook-views.ts';
import { createLogger } from '../../src/logger.ts';
import { DATABASE_KINDS } from '../support/databases.ts';
import { type EngineHarness, startHarness } from './support/engine.ts';
import { createReceiver, type Receiver } from './support/receiver.ts';

const POISON = Buffer.from([0x6f, 0x6b, 0x00, 0xff, 0xfe, 0x21]); // "ok", NUL, invalid UTF-8, "!"

describe.each(DATABASE_KINDS)('poison results (%s)', (kind) => {
  let harness: EngineHarness;
  const receivers: Receiver[] = [];

  afterEach(async () => {
    await harness?.dispose();
    for (const receiver of receivers.splice(0)) await receiver.close();
  });

  async function receiver() {
    const created = await createReceiver();
    receivers.push(created);
    return created;
  }

  it('records a 200 with NUL and invalid UTF-8 once, readably, and delivers its neighbours once', async () => {
    harness = await startHarness(kind, { KLANG_LEASE: '3s' });
    const poison = await receiver();
    const healthy = await receiver();
    // Both answer together once every request is in, so their results are written in one batch.
    const held: (() => void)[] = [];
    const hold = (answer: () => void) => {
      held.push(answer);
      if (held.length === 7) for (const release of held.splice(0)) release();
    };
    poison.respond((_request, res) =>
      hold(() => {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.end(POISON);
      }),
    );
    healthy.respond((_request, res) =>
      hold(() => {
        res.writeHead(200);
        res.end('fine');
      }),
    );
    const a = await harness.setup(poison.url);
    const b = await harness.setup(healthy.url);
    const poisoned = await harness.publish(a.conversationId);
    const neighbours = await Promise.all(Array.from({ length: 6 }, () => harness.publish(b.conversationId)));

    await harness.settled(poisoned, a.webhook.id, ['succeeded'], 8_000);
    for (const id of neighbours) await harness.settled(id, b.webhook.id, ['succeeded'], 8_000);
    expect(poison.requests).toHaveLength(1);
    expect(healthy.requests).toHaveLength(6);

    const [attempt] = await harness.attempts(a.webhook.id);
    const detail = await harness.container.repos.attempts.get(a.webhook.id, attempt!.id);
    const view = attemptDetailView(detail!);
    expect(view.response.status).toBe(200);
    expect(view.response.body).toBe('ok\u2400\ufffd\ufffd!');
    expect(Buffer.from(view.response.body_base64!, 'base64')).toEqual(POISON);
    const [fine] = await harness.attempts(b.webhook.id);
    const fineView = attemptDetailView((await harness.container.repos.attempts.get(b.webhook.id, fine!.id))!);
    expect(fineView.response).toMatchObject({ body: 'fine', body_base64: null });
  });

  it('turns a result that cannot be written into a failed attempt without rolling back the batch', async () => {
    harness = await startHarness(kind);
    await harness.stopEngine();
    const a = await harness.setup('http://127.0.0.1:9/a');
    const b = await harness.setup('http://127.0.0.1:9/b');
    const events = [
      await harness.publish(a.conversationId),
      await harness.publish(b.conversationId),
      await harness.publish(b.conversationId),
    ];
    const queue = createQueueRepo(harness.database);
    const now = Date.now();
    const claimed = await queue.claim({
      workerId: 'wrk_test',
      now,
      leaseMs: 60_000,
      limit: 10,
      perWebhook: 10,
      excludeWebhookIds: [],
    });
    expect(claimed).toHaveLength(3);
    const policy = { retrySchedule: [60_000] };
    const results = claimed.map((delivery) =>
      attemptResult(
        delivery,
        {
          startedAt: now,
          signature: 'v1,c2lnbmF0dXJl',
          outcome: {
            outcome: 'succeeded',
            durationMs: 3,
            response: { status: 200, headers: {}, body: 'ok', bodyEncoding: 'utf8', truncated: false },
          },
        },
        policy,
        now,
      ),
    );
    // A row the database refuses (PostgreSQL text cannot hold NUL; SQLite cannot bind an object),
    // as if a future field slipped past the storage encoding.
    const poisoned = results.find((r) => r.webhookId === a.webhook.id)!;
    poisoned.attempt.response_body =
      kind === 'postgres' ? 'a\u0000b' : ({ not: 'text' } as unknown as string);
    const options = { workerId: 'wrk_test', now, autoPauseAfter: 25, autoPauseReason: 'paused' };
    const writer = createResultWriter<QueueResult>(
      (batch) => queue.record(batch, { ...options, now: Date.now() }),
      createLogger('silent'),
      { fallback: (result, error) => unrecordableResult(result, error, policy, Date.now()) },
    );
    const started = Date.now();
    expect(await Promise.all(results.map((r) => writer.submit(r)))).toEqual([true, true, true]);
    expect(Date.now() - started).toBeLessThan(2_000);

    for (const id of events.slice(1)) {
      expect((await harness.delivery(id, b.webhook.id)).status).toBe('succeeded');
    }
    const stuck = await harness.delivery(events[0]!, a.webhook.id);
    expect(stuck).toMatchObject({ status: 'pending', attempts: 1, locked_by: null });
    const [failed] = await harness.attempts(a.webhook.id);
    expect(failed).toMatchObject({ outcome: 'failed', error: 'internal_error', response_body: null });
    expect(failed!.error_message).toContain('could not be stored');
    expect((await harness.webhook(a.webhook.id)).consecutive_failures).toBe(1);
  });
});
