// The per-webhook refill and the bounded scan on both databases: a refill returns each webhook's
// earliest due deliveries up to its own limit, exclusively and only for active webhooks; a scan with
// `dueAfter` reads only what became due since.
import { afterEach, expect, it } from 'vitest';
import { createQueueRepo, type QueueRepo } from '../../src/db/repos/queue-repo.ts';
import { createSecretBox } from '../../src/domain/secrets.ts';
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
});
