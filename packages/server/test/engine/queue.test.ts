// The queue contract on both databases: exclusive claims with a lease and per-webhook and per-owner limits,
// paused webhooks skipped, fenced result writes, expired leases reclaimed without counting the
// interrupted attempt, and retention pruning.
import { afterEach, expect, it } from 'vitest';
import { createQueueRepo, type QueueRepo } from '../../src/db/repos/queue-repo.ts';
import { createSecretBox } from '../../src/domain/secrets.ts';
import { attemptRow } from '../repos/rows.ts';
import { describeEachDatabase, openTestDatabase, type TestDatabase } from '../support/databases.ts';
import { insertConversation, insertUser, insertWebhook } from '../support/fixtures.ts';

const box = createSecretBox(Buffer.alloc(32, 7));
const LEASE = 60_000;

describeEachDatabase('queue repository (%s)', (kind) => {
  let database: TestDatabase;
  let queue: QueueRepo;

  afterEach(async () => {
    await database?.dispose();
  });

  async function seed(webhooks: number, perWebhook: number, status: 'active' | 'paused' = 'active') {
    database = await openTestDatabase(kind);
    queue = createQueueRepo(database);
    const { db } = database;
    const user = await insertUser(db, 'pro');
    const conversation = await insertConversation(db, user);
    const ids: string[] = [];
    for (let w = 0; w < webhooks; w++) ids.push((await insertWebhook(db, box, user, { status })).id);
    const now = Date.now() - 1_000;
    for (let e = 0; e < perWebhook; e++) {
      const eventId = `evt_q${e}`;
      await db
        .insertInto('events')
        .values({
          id: eventId,
          type: 'conversation.ready',
          conversation_id: conversation,
          payload: '{}',
          test: 0,
          created_at: now,
        })
        .execute();
      await db
        .insertInto('deliveries')
        .values(
          ids.map((webhook_id, w) => ({
            id: `dlv_q${e}_${w}`,
            event_id: eventId,
            webhook_id,
            status: 'pending' as const,
            status_reason: null,
            test: 0,
            attempts: 0,
            next_attempt_at: now + e,
            locked_until: null,
            locked_by: null,
            created_at: now,
            updated_at: now,
          })),
        )
        .execute();
    }
    return ids;
  }

  const claim = (workerId: string, limit = 100, perWebhook = 100, exclude: string[] = []) =>
    queue.claim({ workerId, now: Date.now(), leaseMs: LEASE, limit, perWebhook, excludeWebhookIds: exclude });

  it('claims at most perOwner of one owner and skips excluded owners', async () => {
    const [w0, w1, w2] = await seed(3, 10);
    const other = await insertUser(database.db, 'pro');
    await database.db.updateTable('webhooks').set({ user_id: other }).where('id', '=', w2!).execute();
    const owner = (
      await database.db
        .selectFrom('webhooks')
        .select('user_id')
        .where('id', '=', w0!)
        .executeTakeFirstOrThrow()
    ).user_id;
    const base = { now: Date.now(), leaseMs: LEASE, limit: 100, perWebhook: 100, excludeWebhookIds: [] };
    const first = await queue.claim({ ...base, workerId: 'w1', perOwner: 5 });
    const count = (list: typeof first, id: string) => list.filter((d) => d.ownerId === id).length;
    expect([count(first, owner), count(first, other)]).toEqual([5, 5]);
    expect(first.filter((d) => d.webhookId === w0 || d.webhookId === w1)).toHaveLength(5);
    const second = await queue.claim({ ...base, workerId: 'w2', excludeOwnerIds: [owner] });
    expect(second).toHaveLength(5);
    expect(second.every((d) => d.ownerId === other && d.webhookId === w2)).toBe(true);
  });

  it('leases each due delivery to one claimer only, with its event', async () => {
    await seed(2, 10);
    const [first, second] = await Promise.all([claim('w1', 12), claim('w2', 12)]);
    const ids = [...first!, ...second!].map((d) => d.id);
    expect(ids).toHaveLength(20);
    expect(new Set(ids).size).toBe(20);
    expect(first![0]).toMatchObject({
      attempts: 0,
      test: false,
      eventType: 'conversation.ready',
      payload: '{}',
    });
    expect(await claim('w3')).toHaveLength(0);
    const leased = await database.db.selectFrom('deliveries').select(['locked_by', 'locked_until']).execute();
    expect(leased.every((row) => row.locked_by !== null && Number(row.locked_until) > Date.now())).toBe(true);
  });

  it('two scans at the same moment share what is due: the second is never short while work is left', async () => {
    await seed(2, 10);
    for (let round = 0; round < 25; round++) {
      await database.db.updateTable('deliveries').set({ locked_by: null, locked_until: null }).execute();
      const [first, second] = await Promise.all([claim('w1', 12), claim('w2', 12)]);
      const ids = [...first, ...second].map((d) => d.id);
      expect(new Set(ids).size, `round ${round}`).toBe(20);
      expect(
        [first.length, second.length].sort((a, b) => b - a),
        `round ${round}`,
      ).toEqual([12, 8]);
    }
  });

  it('limits a claim per webhook and skips excluded and paused webhooks', async () => {
    const [a, b] = await seed(2, 10);
    const claimed = await claim('w1', 100, 3);
    expect(claimed.filter((d) => d.webhookId === a)).toHaveLength(3);
    expect(claimed.filter((d) => d.webhookId === b)).toHaveLength(3);
    const next = await claim('w1', 100, 100, [a!]);
    expect(next.every((d) => d.webhookId === b)).toBe(true);
    expect(next).toHaveLength(7);
  });

  it('claims nothing for paused webhooks', async () => {
    await seed(1, 3, 'paused');
    expect(await claim('w1')).toHaveLength(0);
  });

  it('drops the results of a worker whose lease was taken over (fencing)', async () => {
    const [webhook] = await seed(1, 1);
    const [delivery] = await claim('stale');
    await database.db
      .updateTable('deliveries')
      .set({ locked_until: Date.now() - 1 })
      .execute();
    const [again] = await claim('fresh');
    expect(again!.id).toBe(delivery!.id);
    const attempt = (id: string) =>
      attemptRow({ id: delivery!.id, eventId: delivery!.eventId, webhookId: webhook! }, { id });
    const options = (workerId: string) => ({
      workerId,
      now: Date.now(),
      autoPauseAfter: 25,
      autoPauseReason: 'x',
    });
    const result = (id: string) => ({
      kind: 'attempt' as const,
      deliveryId: delivery!.id,
      webhookId: webhook!,
      attempt: attempt(id),
      deliveryStatus: 'succeeded' as const,
      statusReason: null,
      nextAttemptAt: null,
    });
    expect(await queue.record([result('att_stale')], options('stale'))).toMatchObject({ recorded: 0 });
    expect(await queue.record([result('att_fresh')], options('fresh'))).toMatchObject({ recorded: 1 });
    const attempts = await database.db.selectFrom('attempts').select('id').execute();
    expect(attempts.map((a) => a.id)).toEqual(['att_fresh']);
    const row = await database.db.selectFrom('deliveries').selectAll().executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'succeeded', locked_by: null });
    expect(Number(row.attempts)).toBe(1);
  });

  it('returns expired leases to the queue without counting the interrupted attempt', async () => {
    await seed(1, 3);
    await claim('crashed');
    expect(await claim('other')).toHaveLength(0);
    await database.db
      .updateTable('deliveries')
      .set({ locked_until: Date.now() - 1 })
      .execute();
    expect(await queue.releaseExpiredLeases(Date.now())).toBe(3);
    const rows = await database.db.selectFrom('deliveries').selectAll().execute();
    expect(
      rows.every((r) => r.locked_by === null && Number(r.attempts) === 0 && r.status === 'pending'),
    ).toBe(true);
    expect(await claim('other')).toHaveLength(3);
  });

  it('prunes attempts, finished events and stats past retention, keeping pending work', async () => {
    const [webhook] = await seed(1, 2);
    const { db } = database;
    const old = Date.now() - 40 * 86_400_000;
    await db.updateTable('events').set({ created_at: old }).execute();
    await db.updateTable('deliveries').set({ status: 'succeeded' }).where('id', '=', 'dlv_q0_0').execute();
    await db
      .insertInto('webhook_stats_hourly')
      .values({
        webhook_id: webhook!,
        hour: 3_600_000,
        succeeded: 1,
        failed: 0,
        response_ms_sum: 1,
        response_count: 1,
      })
      .execute();
    const attempt = (id: string, deliveryId: string, eventId: string, createdAt: number) =>
      attemptRow(
        { id: deliveryId, eventId, webhookId: webhook! },
        {
          id,
          outcome: 'failed',
          error: 'http_status',
          error_message: 'HTTP 500',
          response_status: 500,
          response_body: 'down',
          created_at: createdAt,
        },
      );
    // Two attempts past retention (one of a delivery still pending) and one recent attempt.
    await db
      .insertInto('attempts')
      .values([
        attempt('att_old_done', 'dlv_q0_0', 'evt_q0', old),
        attempt('att_old_pending', 'dlv_q1_0', 'evt_q1', old),
        attempt('att_recent', 'dlv_q1_0', 'evt_q1', Date.now()),
      ])
      .execute();
    const cutoff = Date.now() - 30 * 86_400_000;
    const counts = await queue.prune({ history: cutoff, stats: cutoff });
    expect(counts).toMatchObject({ attempts: 2, events: 1, stats: 1 });
    const left = await db.selectFrom('deliveries').select('id').execute();
    expect(left.map((r) => r.id)).toEqual(['dlv_q1_0']);
    const attempts = await db.selectFrom('attempts').select('id').execute();
    expect(attempts.map((r) => r.id)).toEqual(['att_recent']);
  });

  it('reports the next due time of waiting deliveries', async () => {
    await seed(1, 1);
    const later = Date.now() + 5_000;
    await database.db.updateTable('deliveries').set({ next_attempt_at: later }).execute();
    expect(await queue.nextDueAt(Date.now())).toBe(later);
  });
});
