// Webhooks repository contract: per-user limit (also under concurrent creates), owner scoping,
// pause/resume status fields, secret rotation and cascading removal.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createWebhooksRepo, type NewWebhook, type WebhooksRepo } from '../../src/db/repos/webhooks-repo.ts';
import { newId } from '../../src/domain/ids.ts';
import { describeEachDatabase, openTestDatabase, type TestDatabase } from '../support/databases.ts';
import { insertUser } from '../support/fixtures.ts';
import { countRows, insertAttempt, insertDelivery, insertEvent, insertStatsRow } from './rows.ts';

const draft = (userId: string, overrides: Partial<NewWebhook> = {}): NewWebhook => ({
  id: newId.webhook(),
  userId,
  url: 'https://receiver.example/hook',
  description: 'main',
  events: ['conversation.ready'],
  secretEnc: 'v1:sealed-current',
  ...overrides,
});

describeEachDatabase('webhooks repo on %s', (kind) => {
  let database: TestDatabase;
  let webhooks: WebhooksRepo;
  beforeAll(async () => {
    database = await openTestDatabase(kind);
    webhooks = createWebhooksRepo(database.db, database.dialect);
  });
  afterAll(() => database.dispose());

  it('creates an active webhook with the given fields and refuses past the limit', async () => {
    const user = await insertUser(database.db);
    const first = await webhooks.create(draft(user), 2, 1_000);
    expect(first).toMatchObject({
      ok: true,
      webhook: {
        userId: user,
        url: 'https://receiver.example/hook',
        description: 'main',
        events: ['conversation.ready'],
        status: 'active',
        statusReason: null,
        statusChangedAt: null,
        consecutiveFailures: 0,
        createdAt: new Date(1_000),
        updatedAt: new Date(1_000),
      },
    });
    expect((await webhooks.create(draft(user), 2)).ok).toBe(true);
    expect(await webhooks.create(draft(user), 2)).toEqual({ ok: false, reason: 'limit_reached' });
    expect(await webhooks.list(user)).toHaveLength(2);
    // another user's count is separate
    expect((await webhooks.create(draft(await insertUser(database.db)), 2)).ok).toBe(true);
  });

  it('lets exactly `limit` of many concurrent creates through', async () => {
    const user = await insertUser(database.db);
    const results = await Promise.all(Array.from({ length: 8 }, () => webhooks.create(draft(user), 3)));
    expect(results.filter((r) => r.ok)).toHaveLength(3);
    expect(results.filter((r) => !r.ok)).toHaveLength(5);
    expect(await webhooks.list(user)).toHaveLength(3);
  });

  it('scopes get, list, update and remove to the owner', async () => {
    const owner = await insertUser(database.db);
    const other = await insertUser(database.db);
    const a = draft(owner);
    const b = draft(owner);
    await webhooks.create(a, 10);
    await webhooks.create(b, 10);
    expect((await webhooks.list(owner)).map((w) => w.id)).toEqual([a.id, b.id]);
    expect(await webhooks.list(other)).toEqual([]);
    expect(await webhooks.get(other, a.id)).toBeUndefined();
    expect(await webhooks.update(other, a.id, { url: 'https://evil.example/' })).toBeUndefined();
    expect(await webhooks.remove(other, a.id)).toBe(false);
    expect(await webhooks.getSecrets(other, a.id)).toBeUndefined();
    expect(await webhooks.get(owner, a.id)).toMatchObject({ url: 'https://receiver.example/hook' });

    const updated = await webhooks.update(owner, a.id, { events: ['conversation.failed'] }, 5_000);
    expect(updated).toMatchObject({
      url: 'https://receiver.example/hook',
      description: 'main',
      events: ['conversation.failed'],
      updatedAt: new Date(5_000),
    });
    expect(
      await webhooks.update(owner, a.id, { url: 'https://new.example/x', description: '' }),
    ).toMatchObject({
      url: 'https://new.example/x',
      description: '',
      events: ['conversation.failed'],
    });
    expect(await webhooks.get(owner, 'wh_missing')).toBeUndefined();
  });

  it('pauses and resumes with status, reason and change time', async () => {
    const user = await insertUser(database.db);
    const input = draft(user);
    await webhooks.create(input, 10, 1_000);
    expect(await webhooks.pause(user, input.id, 'paused_by_user', 2_000)).toMatchObject({
      status: 'paused',
      statusReason: 'paused_by_user',
      statusChangedAt: new Date(2_000),
    });
    // pausing again changes nothing
    expect(await webhooks.pause(user, input.id, 'other', 3_000)).toMatchObject({
      statusReason: 'paused_by_user',
      statusChangedAt: new Date(2_000),
    });
    expect(await webhooks.resume(user, input.id, 4_000)).toMatchObject({
      status: 'active',
      statusReason: null,
      statusChangedAt: new Date(4_000),
    });
    // resuming an active webhook changes nothing
    expect(await webhooks.resume(user, input.id, 5_000)).toMatchObject({ statusChangedAt: new Date(4_000) });
    expect(await webhooks.pause(await insertUser(database.db), input.id, 'x')).toBeUndefined();
  });

  it('resuming an auto-paused webhook resets the failure count', async () => {
    const user = await insertUser(database.db);
    const input = draft(user);
    await webhooks.create(input, 10);
    await database.db
      .updateTable('webhooks')
      .set({ status: 'auto_paused', status_reason: 'too_many_failures', consecutive_failures: 7 })
      .where('id', '=', input.id)
      .execute();
    expect(await webhooks.resume(user, input.id, 9_000)).toMatchObject({
      status: 'active',
      statusReason: null,
      consecutiveFailures: 0,
      statusChangedAt: new Date(9_000),
    });
  });

  it('resuming resets the failure count also after an auto-pause was turned into a manual pause', async () => {
    const user = await insertUser(database.db);
    const input = draft(user);
    await webhooks.create(input, 10);
    await database.db
      .updateTable('webhooks')
      .set({ status: 'auto_paused', status_reason: 'too_many_failures', consecutive_failures: 25 })
      .where('id', '=', input.id)
      .execute();
    expect(await webhooks.pause(user, input.id, 'paused_by_user')).toMatchObject({ status: 'paused' });
    expect(await webhooks.resume(user, input.id)).toMatchObject({ status: 'active', consecutiveFailures: 0 });
  });

  it('rotation keeps the previous sealed secret and its expiry', async () => {
    const user = await insertUser(database.db);
    const input = draft(user);
    await webhooks.create(input, 10);
    expect(await webhooks.getSecrets(user, input.id)).toEqual({
      secretEnc: 'v1:sealed-current',
      previousSecretEnc: null,
      previousSecretExpiresAt: null,
    });
    expect(await webhooks.rotateSecret(user, input.id, 'v1:sealed-next', 86_400_000)).toBe(true);
    expect(await webhooks.getSecrets(user, input.id)).toEqual({
      secretEnc: 'v1:sealed-next',
      previousSecretEnc: 'v1:sealed-current',
      previousSecretExpiresAt: 86_400_000,
    });
    expect(await webhooks.rotateSecret(user, input.id, 'v1:sealed-third', 99_000_000)).toBe(true);
    expect(await webhooks.getSecrets(user, input.id)).toMatchObject({
      secretEnc: 'v1:sealed-third',
      previousSecretEnc: 'v1:sealed-next',
    });
    const other = await insertUser(database.db);
    expect(await webhooks.rotateSecret(other, input.id, 'v1:stolen', 1)).toBe(false);
    expect((await webhooks.getSecrets(user, input.id))?.secretEnc).toBe('v1:sealed-third');
  });

  it('removal deletes deliveries, attempts and stats, and leaves other webhooks alone', async () => {
    const user = await insertUser(database.db);
    const doomed = draft(user);
    const kept = draft(user);
    await webhooks.create(doomed, 10);
    await webhooks.create(kept, 10);
    const eventId = await insertEvent(database.db);
    for (const webhookId of [doomed.id, kept.id]) {
      const id = await insertDelivery(database.db, eventId, webhookId);
      await insertAttempt(database.db, { id, eventId, webhookId });
      await insertStatsRow(database.db, webhookId, 3_600_000, { succeeded: 1 });
    }
    expect(await webhooks.remove(user, doomed.id)).toBe(true);
    expect(await webhooks.get(user, doomed.id)).toBeUndefined();
    expect(await webhooks.remove(user, doomed.id)).toBe(false);
    for (const table of ['deliveries', 'attempts', 'webhook_stats_hourly'] as const) {
      expect(await countRows(database.db, table, doomed.id)).toBe(0);
      expect(await countRows(database.db, table, kept.id)).toBe(1);
    }
    expect(
      await database.db.selectFrom('events').select('id').where('id', '=', eventId).execute(),
    ).toHaveLength(1);
  });
});
