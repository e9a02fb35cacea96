// Deliveries repository contract: resend puts one delivery of the webhook back in the queue (not
// while an attempt holds a live lease); requeueMissed re-queues only that webhook's missed rows.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createDeliveriesRepo, type DeliveriesRepo } from '../../src/db/repos/deliveries-repo.ts';
import type { DeliveryStatus } from '../../src/db/tables.ts';
import { createSecretBox } from '../../src/domain/secrets.ts';
import { describeEachDatabase, openTestDatabase, type TestDatabase } from '../support/databases.ts';
import { insertUser, insertWebhook } from '../support/fixtures.ts';
import { insertDelivery, insertEvent } from './rows.ts';

const box = createSecretBox(Buffer.alloc(32, 5));
const NOW = 1_000_000;

describeEachDatabase('deliveries repo on %s', (kind) => {
  let database: TestDatabase;
  let deliveries: DeliveriesRepo;
  let hook: string;
  let otherHook: string;
  beforeAll(async () => {
    database = await openTestDatabase(kind);
    deliveries = createDeliveriesRepo(database.db);
    const user = await insertUser(database.db);
    hook = (await insertWebhook(database.db, box, user)).id;
    otherHook = (await insertWebhook(database.db, box, user)).id;
  });
  afterAll(() => database.dispose());

  const read = (id: string) =>
    database.db
      .selectFrom('deliveries')
      .select([
        'status',
        'status_reason',
        'next_attempt_at',
        'locked_until',
        'locked_by',
        'updated_at',
        'attempts',
      ])
      .where('id', '=', id)
      .executeTakeFirstOrThrow()
      .then((r) => ({
        ...r,
        next_attempt_at: Number(r.next_attempt_at),
        updated_at: Number(r.updated_at),
        locked_until: r.locked_until === null ? null : Number(r.locked_until),
        attempts: Number(r.attempts),
      }));

  async function delivery(webhookId: string, options: Parameters<typeof insertDelivery>[3] = {}) {
    return insertDelivery(database.db, await insertEvent(database.db), webhookId, options);
  }

  it.each<DeliveryStatus>(['failed', 'succeeded', 'cancelled', 'missed'])(
    'resends a %s delivery, due now',
    async (status) => {
      const id = await delivery(hook, { status, nextAttemptAt: 5, reason: 'whatever' });
      expect(await deliveries.resend(hook, id, NOW)).toBe('queued');
      expect(await read(id)).toEqual({
        status: 'pending',
        status_reason: 'resent',
        next_attempt_at: NOW,
        locked_until: null,
        locked_by: null,
        updated_at: NOW,
        attempts: 0,
      });
    },
  );

  it('leaves a delivery with a live lease alone, and takes one whose lease expired', async () => {
    const leased = await delivery(hook, { lockedUntil: NOW + 1 });
    expect(await deliveries.resend(hook, leased, NOW)).toBe('in_progress');
    expect(await read(leased)).toMatchObject({
      status: 'pending',
      status_reason: null,
      locked_until: NOW + 1,
    });

    const stale = await delivery(hook, { lockedUntil: NOW });
    expect(await deliveries.resend(hook, stale, NOW)).toBe('queued');
    expect(await read(stale)).toMatchObject({ status: 'pending', locked_until: null, locked_by: null });
  });

  it('finds only deliveries of the given webhook', async () => {
    const foreign = await delivery(otherHook, { status: 'failed' });
    expect(await deliveries.resend(hook, foreign, NOW)).toBe('not_found');
    expect(await read(foreign)).toMatchObject({ status: 'failed' });
    expect(await deliveries.resend(hook, 'dlv_00000000000000000000000000', NOW)).toBe('not_found');
  });

  it('requeueMissed re-queues only this webhook’s missed deliveries', async () => {
    const missedA = await delivery(hook, { status: 'missed', reason: 'webhook_paused', nextAttemptAt: 1 });
    const missedB = await delivery(hook, { status: 'missed', reason: 'webhook_paused', nextAttemptAt: 2 });
    const failed = await delivery(hook, { status: 'failed' });
    const foreignMissed = await delivery(otherHook, { status: 'missed', reason: 'webhook_paused' });

    expect(await deliveries.requeueMissed(hook, NOW)).toBe(2);
    for (const id of [missedA, missedB]) {
      expect(await read(id)).toMatchObject({
        status: 'pending',
        status_reason: 'sent_after_resume',
        next_attempt_at: NOW,
        updated_at: NOW,
      });
    }
    expect(await read(failed)).toMatchObject({ status: 'failed' });
    expect(await read(foreignMissed)).toMatchObject({ status: 'missed', status_reason: 'webhook_paused' });
    expect(await deliveries.requeueMissed(hook, NOW)).toBe(0);
  });
});
