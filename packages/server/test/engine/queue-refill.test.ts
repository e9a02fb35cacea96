// The per-webhook refill and the bounded scan on both databases: a refill returns each webhook's
// earliest due deliveries up to its own limit (from a given due time when asked), exclusively and
// only for active webhooks — also when it rides on a record's transaction, after the results; a scan
// with `dueAfter` reads only what became due since.
import { afterEach, expect, it } from 'vitest';
import {
  type ClaimedDelivery,
  createQueueRepo,
  type QueueRepo,
  type QueueResult,
} from '../../src/db/repos/queue-repo.ts';
import { createSecretBox } from '../../src/domain/secrets.ts';
import { attemptRow } from '../repos/rows.ts';
import { describeEachDatabase, openTestDatabase, type TestDatabase } from '../support/databases.ts';
import { insertConversation, insertUser, insertWebhook } from '../support/fixtures.ts';

const box = createSecretBox(Buffer.alloc(32, 7));
const LEASE = 60_000;

describeEachDatabase('queue refill (%s)', (kind) => {
  let database: TestDatabase;
  let queue: QueueRepo;
  const base = Date.now() - 10_000;

  afterEach(async () => {
    await database?.dispose();
  });

  async function seed(statuses: ('active' | 'paused')[], perWebhook: number) {
    database = await openTestDatabase(kind);
    queue = createQueueRepo(database);
    const { db } = database;
    const user = await insertUser(db, 'pro');
    const conversation = await insertConversation(db, user);
    const ids: string[] = [];
    for (const status of statuses) ids.push((await insertWebhook(db, box, user, { status })).id);
    for (let e = 0; e < perWebhook; e++) {
      const eventId = `evt_r${e}`;
      await db
        .insertInto('events')
        .values({
          id: eventId,
          type: 'conversation.ready',
          conversation_id: conversation,
          payload: '{}',
          test: 0,
          created_at: base,
        })
        .execute();
      await db
        .insertInto('deliveries')
        .values(
          ids.map((webhook_id, w) => ({
            id: `dlv_r${e}_${w}`,
            event_id: eventId,
            webhook_id,
            status: 'pending' as const,
            status_reason: null,
            test: 0,
            attempts: 0,
            // Event e of every webhook is due at base + e ms; the last one is due in the future.
            next_attempt_at: e === perWebhook - 1 ? Date.now() + 60_000 : base + e,
            locked_until: null,
            locked_by: null,
            created_at: base,
            updated_at: base,
          })),
        )
        .execute();
    }
    return ids;
  }

  const refill = (workerId: string, webhooks: [string, number][]) =>
    queue.refill({ workerId, now: Date.now(), leaseMs: LEASE, webhooks: new Map(webhooks) });

  it('claims the earliest due deliveries of each webhook up to its own limit, each only once', async () => {
    const [a, b] = await seed(['active', 'active'], 10);
    const first = await refill('w1', [
      [a!, 3],
      [b!, 5],
    ]);
    expect(first.filter((d) => d.webhookId === a).map((d) => d.eventId)).toEqual([
      'evt_r0',
      'evt_r1',
      'evt_r2',
    ]);
    expect(first.filter((d) => d.webhookId === b)).toHaveLength(5);
    expect(first[0]).toMatchObject({
      attempts: 0,
      test: false,
      eventType: 'conversation.ready',
      payload: '{}',
    });
    // Concurrent refills never share a delivery; the future one is never claimed.
    const [x, y] = await Promise.all([refill('w2', [[a!, 100]]), refill('w3', [[a!, 100]])]);
    const ids = [...x, ...y].map((d) => d.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(6);
    expect(ids).not.toContain(`dlv_r9_0`);
    const leased = await database.db
      .selectFrom('deliveries')
      .select(['id', 'locked_by'])
      .where('locked_by', 'is not', null)
      .execute();
    expect(leased).toHaveLength(3 + 5 + 6);
  });

  it('starts a webhook’s refill at its due time `after` (inclusive), the others from their start', async () => {
    const [a, b] = await seed(['active', 'active'], 8);
    const claimed = await queue.refill({
      workerId: 'w1',
      now: Date.now(),
      leaseMs: LEASE,
      webhooks: new Map([
        [a!, 3],
        [b!, 2],
      ]),
      after: new Map([[a!, base + 4]]),
    });
    const of = (webhookId: string) => claimed.filter((d) => d.webhookId === webhookId);
    expect(of(a!).map((d) => d.eventId)).toEqual(['evt_r4', 'evt_r5', 'evt_r6']);
    expect(of(a!).map((d) => d.dueAt)).toEqual([base + 4, base + 5, base + 6]);
    expect(of(b!).map((d) => d.eventId)).toEqual(['evt_r0', 'evt_r1']);
    // Without a start, the rows before it are still there to lease.
    const rest = await refill('w1', [[a!, 10]]);
    expect(rest.map((d) => d.eventId)).toEqual(['evt_r0', 'evt_r1', 'evt_r2', 'evt_r3']);
  });

  it('claims nothing for a paused webhook', async () => {
    const [active, paused] = await seed(['active', 'paused'], 4);
    const claimed = await refill('w1', [
      [active!, 10],
      [paused!, 10],
    ]);
    expect(claimed.map((d) => d.webhookId)).toEqual([active, active, active]);
  });

  it('scans only deliveries due after dueAfter when given', async () => {
    const [a] = await seed(['active'], 6);
    const claimed = await queue.claim({
      workerId: 'w1',
      now: Date.now(),
      leaseMs: LEASE,
      limit: 100,
      perWebhook: 100,
      excludeWebhookIds: [],
      dueAfter: base + 2,
    });
    expect(claimed.map((d) => d.eventId).sort()).toEqual(['evt_r3', 'evt_r4']);
    expect(claimed.every((d) => d.webhookId === a)).toBe(true);
  });

  /** A failed, final attempt of `delivery` (counts towards its webhook's auto-pause). */
  const failure = (delivery: ClaimedDelivery): QueueResult => ({
    kind: 'attempt',
    deliveryId: delivery.id,
    webhookId: delivery.webhookId,
    attempt: attemptRow(delivery, {
      outcome: 'failed',
      error: 'http_status',
      error_message: 'receiver answered 500',
      response_status: 500,
    }),
    deliveryStatus: 'failed',
    statusReason: 'attempts_exhausted',
    nextAttemptAt: null,
  });
  const recordOptions = (autoPauseAfter: number) => ({
    workerId: 'w1',
    now: Date.now(),
    autoPauseAfter,
    autoPauseReason: 'paused by the test',
  });
  const refillRequest = (webhooks: [string, number][]) => ({
    workerId: 'w1',
    now: Date.now(),
    leaseMs: LEASE,
    webhooks: new Map(webhooks),
  });

  it('leases a refill in the transaction that records results, after them', async () => {
    const [a, b] = await seed(['active', 'active'], 6);
    const [first] = await refill('w1', [[a!, 1]]);
    const summary = await queue.record(
      [failure(first!)],
      recordOptions(25),
      refillRequest([
        [a!, 2],
        [b!, 2],
      ]),
    );
    expect(summary).toMatchObject({ recorded: 1, autoPaused: [] });
    expect(summary.claimed.map((d) => [d.webhookId, d.eventId])).toEqual(
      expect.arrayContaining([
        [a, 'evt_r1'],
        [a, 'evt_r2'],
        [b, 'evt_r0'],
        [b, 'evt_r1'],
      ]),
    );
    expect(summary.claimed).toHaveLength(4);
    expect(summary.claimed.every((d) => d.context.status === 'active' && d.payload === '{}')).toBe(true);
    const rows = await database.db
      .selectFrom('deliveries')
      .select(['id', 'status', 'locked_by'])
      .where('id', 'in', [first!.id, ...summary.claimed.map((d) => d.id)])
      .execute();
    expect(rows.find((r) => r.id === first!.id)).toMatchObject({ status: 'failed', locked_by: null });
    expect(rows.filter((r) => r.locked_by === 'w1')).toHaveLength(4);
    // Leased once: a refill by another worker finds only what is left.
    const other = await refill('w2', [[a!, 10]]);
    expect(other.map((d) => d.eventId)).toEqual(['evt_r3', 'evt_r4']);
  });

  it('leases nothing of a webhook the recorded results auto-paused', async () => {
    const [a, b] = await seed(['active', 'active'], 4);
    const [first] = await refill('w1', [[a!, 1]]);
    const summary = await queue.record(
      [failure(first!)],
      recordOptions(1),
      refillRequest([
        [a!, 3],
        [b!, 1],
      ]),
    );
    expect(summary.autoPaused).toEqual([a]);
    expect(summary.claimed.map((d) => d.webhookId)).toEqual([b]);
  });

  it('leases a refill with no results to record', async () => {
    const [a] = await seed(['active'], 3);
    const summary = await queue.record([], recordOptions(25), refillRequest([[a!, 5]]));
    expect(summary).toMatchObject({ recorded: 0, autoPaused: [] });
    expect(summary.claimed.map((d) => d.eventId)).toEqual(['evt_r0', 'evt_r1']);
  });
});
