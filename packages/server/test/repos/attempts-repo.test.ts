// Attempts repository contract: the webhook's log newest first with outcome/type filters and an id
// cursor, each row carrying its delivery's current state; detail joins the event payload as the body.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type AttemptsRepo, createAttemptsRepo } from '../../src/db/repos/attempts-repo.ts';
import { createSecretBox } from '../../src/domain/secrets.ts';
import { describeEachDatabase, openTestDatabase, type TestDatabase } from '../support/databases.ts';
import { insertUser, insertWebhook } from '../support/fixtures.ts';
import { insertAttempt, insertDelivery, insertEvent } from './rows.ts';

const box = createSecretBox(Buffer.alloc(32, 1));

describeEachDatabase('attempts repo on %s', (kind) => {
  let database: TestDatabase;
  let attempts: AttemptsRepo;
  let hook: string;
  let otherHook: string;
  /** Attempt ids in insertion order: ready ok, ready fail ×2 (same delivery), failed-type ok, deleted fail. */
  const ids: string[] = [];
  let retried: { id: string; eventId: string };
  let foreignAttempt: string;

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    attempts = createAttemptsRepo(database.db);
    const { db } = database;
    const user = await insertUser(db);
    hook = (await insertWebhook(db, box, user)).id;
    otherHook = (await insertWebhook(db, box, user)).id;
    const attemptOf = async (
      type: string,
      status: 'succeeded' | 'failed' | 'cancelled',
      reason: string | null,
    ) => {
      const eventId = await insertEvent(db, { type, payload: `{"type":"${type}"}` });
      const id = await insertDelivery(db, eventId, hook, { status, reason });
      return { id, eventId, webhookId: hook };
    };
    const first = await attemptOf('conversation.ready', 'succeeded', null);
    ids.push(await insertAttempt(db, first));
    const second = await attemptOf('conversation.ready', 'cancelled', 'webhook_deleted');
    retried = second;
    ids.push(await insertAttempt(db, second, { outcome: 'failed', attempt: 1 }));
    ids.push(await insertAttempt(db, second, { outcome: 'failed', attempt: 2, status: 503 }));
    const third = await attemptOf('conversation.failed', 'succeeded', null);
    ids.push(await insertAttempt(db, third, { eventType: 'conversation.failed' }));
    const fourth = await attemptOf('conversation.deleted', 'failed', null);
    ids.push(await insertAttempt(db, fourth, { outcome: 'failed', eventType: 'conversation.deleted' }));
    const foreignEvent = await insertEvent(db);
    const foreignDelivery = await insertDelivery(db, foreignEvent, otherHook);
    foreignAttempt = await insertAttempt(db, {
      id: foreignDelivery,
      eventId: foreignEvent,
      webhookId: otherHook,
    });
  });
  afterAll(() => database.dispose());

  it('lists the webhook’s attempts newest first with their delivery state', async () => {
    const page = await attempts.list(hook, { limit: 50 });
    expect(page.more).toBe(false);
    expect(page.items.map((a) => a.id)).toEqual([...ids].reverse());
    expect(page.items.some((a) => a.id === foreignAttempt)).toBe(false);
    expect(page.items[2]).toMatchObject({
      id: ids[2],
      deliveryId: retried.id,
      eventId: retried.eventId,
      eventType: 'conversation.ready',
      attempt: 2,
      test: false,
      outcome: 'failed',
      responseStatus: 503,
      error: 'http_status',
      errorMessage: 'receiver answered 500',
      durationMs: 42,
      nextRetryAt: null,
      deliveryStatus: 'cancelled',
      deliveryStatusReason: 'webhook_deleted',
    });
    expect(page.items[4]).toMatchObject({ outcome: 'succeeded', deliveryStatus: 'succeeded', error: null });
  });

  it('filters by outcome and by event type', async () => {
    const failed = await attempts.list(hook, { outcome: 'failed', limit: 50 });
    expect(failed.items.map((a) => a.id)).toEqual([ids[4], ids[2], ids[1]]);
    const succeeded = await attempts.list(hook, { outcome: 'succeeded', limit: 50 });
    expect(succeeded.items.map((a) => a.id)).toEqual([ids[3], ids[0]]);
    const ready = await attempts.list(hook, { eventType: 'conversation.ready', limit: 50 });
    expect(ready.items.map((a) => a.id)).toEqual([ids[2], ids[1], ids[0]]);
    const both = await attempts.list(hook, {
      eventType: 'conversation.ready',
      outcome: 'succeeded',
      limit: 50,
    });
    expect(both.items.map((a) => a.id)).toEqual([ids[0]]);
    expect((await attempts.list(hook, { eventType: 'conversation.nope', limit: 50 })).items).toEqual([]);
  });

  it('pages with the last id as cursor until no more follow', async () => {
    const seen: string[] = [];
    let before: string | undefined;
    const mores: boolean[] = [];
    for (;;) {
      const page = await attempts.list(hook, { limit: 2, before });
      seen.push(...page.items.map((a) => a.id));
      mores.push(page.more);
      if (!page.more) break;
      before = page.items.at(-1)?.id;
    }
    expect(seen).toEqual([...ids].reverse());
    expect(mores).toEqual([true, true, false]);
    const filtered = await attempts.list(hook, { outcome: 'failed', before: ids[4], limit: 1 });
    expect(filtered).toMatchObject({ items: [{ id: ids[2] }], more: true });
  });

  it('returns one attempt in full with the event payload as body', async () => {
    expect(await attempts.get(hook, ids[2] as string)).toMatchObject({
      id: ids[2],
      attempt: 2,
      deliveryStatus: 'cancelled',
      deliveryStatusReason: 'webhook_deleted',
      request: {
        eventId: retried.eventId,
        signature: null,
        stored: { 'webhook-id': retried.eventId },
      },
      requestBody: '{"type":"conversation.ready"}',
      responseHeaders: { 'content-type': 'text/plain' },
      responseBody: 'ok',
      responseTruncated: false,
    });
  });

  it('finds nothing for another webhook’s attempt or an unknown id', async () => {
    expect(await attempts.get(hook, foreignAttempt)).toBeUndefined();
    expect(await attempts.get(otherHook, ids[0] as string)).toBeUndefined();
    expect(await attempts.get(hook, 'att_00000000000000000000000000')).toBeUndefined();
    expect((await attempts.list(otherHook, { limit: 10 })).items.map((a) => a.id)).toEqual([foreignAttempt]);
  });
});
