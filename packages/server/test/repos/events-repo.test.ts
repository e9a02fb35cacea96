// Events repository contract: fan-out to eligible webhooks (access, plan, subscription, status),
// idempotent replay and conflict, and test events with exactly one pending test delivery.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createEventsRepo, type EventsRepo, type NewEvent } from '../../src/db/repos/events-repo.ts';
import { newId } from '../../src/domain/ids.ts';
import { createSecretBox } from '../../src/domain/secrets.ts';
import { describeEachDatabase, openTestDatabase, type TestDatabase } from '../support/databases.ts';
import { insertConversation, insertTeam, insertUser, insertWebhook } from '../support/fixtures.ts';

const box = createSecretBox(Buffer.alloc(32, 3));

const event = (conversationId: string | null, overrides: Partial<NewEvent> = {}): NewEvent => ({
  id: newId.event(),
  type: 'conversation.ready',
  conversationId,
  payload: '{"type":"conversation.ready"}',
  test: false,
  createdAt: 50_000,
  ...overrides,
});

describeEachDatabase('events repo on %s', (kind) => {
  let database: TestDatabase;
  let events: EventsRepo;
  beforeAll(async () => {
    database = await openTestDatabase(kind);
    events = createEventsRepo(database.db, database.dialect, database.intakeStore);
  });
  afterAll(() => database.dispose());

  const deliveriesOf = (eventId: string) =>
    database.db
      .selectFrom('deliveries')
      .select(['webhook_id', 'status', 'status_reason', 'test', 'attempts', 'next_attempt_at'])
      .where('event_id', '=', eventId)
      .execute();

  it('stores events published together in one group, each with its own fan-out; a failing one alone fails', async () => {
    const { db } = database;
    const a = await insertUser(db, 'pro');
    const b = await insertUser(db, 'team');
    const conversationA = await insertConversation(db, a);
    const conversationB = await insertConversation(db, b, { users: [a] });
    const hookA = await insertWebhook(db, box, a);
    const hookB = await insertWebhook(db, box, b);
    const inputs = [event(conversationA), event(conversationB), event(conversationA)];
    const duplicate = { ...inputs[1]!, conversationId: conversationA };
    const outcomes = await Promise.allSettled([...inputs, duplicate].map((e) => events.publish(e)));
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected']);
    expect(
      outcomes
        .slice(0, 3)
        .map((o) => o.status === 'fulfilled' && o.value.kind === 'created' && o.value.deliveries),
    ).toEqual([1, 2, 1]);
    const hooks = async (id: string) => (await deliveriesOf(id)).map((d) => d.webhook_id).sort();
    expect(await hooks(inputs[0]!.id)).toEqual([hookA.id]);
    expect(await hooks(inputs[1]!.id)).toEqual([hookA.id, hookB.id].sort());
    expect(await hooks(inputs[2]!.id)).toEqual([hookA.id]);
  });

  it('stores a group byte for byte: payloads with quotes, escapes and emoji, times and fresh delivery rows', async () => {
    const { db } = database;
    const owner = await insertUser(db, 'pro');
    const conversation = await insertConversation(db, owner);
    const hook = await insertWebhook(db, box, owner);
    const payloads = [
      JSON.stringify({ title: 'Q3 "planning" \\ review', emoji: '🎙️ réunion', tab: '\t', nul: '\u0001' }),
      JSON.stringify({ title: '日本語の会議', rtl: 'שלום', zwj: '👩‍👩‍👧' }),
    ];
    const inputs = payloads.map((payload, i) => event(conversation, { payload, createdAt: 70_000 + i }));
    await Promise.all(inputs.map((e) => events.publish(e)));
    for (const [i, input] of inputs.entries()) {
      expect(await events.get(input.id)).toMatchObject({ payload: payloads[i], test: 0 });
      const stored = await db
        .selectFrom('deliveries')
        .selectAll()
        .where('event_id', '=', input.id)
        .executeTakeFirstOrThrow();
      expect({ ...stored, id: undefined }).toEqual({
        id: undefined,
        event_id: input.id,
        webhook_id: hook.id,
        status: 'pending',
        status_reason: null,
        test: 0,
        attempts: 0,
        next_attempt_at: 70_000 + i,
        locked_until: null,
        locked_by: null,
        created_at: 70_000 + i,
        updated_at: 70_000 + i,
      });
      expect(Number((await events.get(input.id))?.created_at)).toBe(70_000 + i);
    }
  });

  it('fans out to every eligible webhook: pending when active, missed when paused', async () => {
    const { db } = database;
    const owner = await insertUser(db, 'pro');
    const direct = await insertUser(db, 'team');
    const member = await insertUser(db, 'pro');
    const freeShare = await insertUser(db, 'free');
    const outsider = await insertUser(db, 'pro');
    const team = await insertTeam(db, [member]);
    const conversation = await insertConversation(db, owner, { users: [direct, freeShare], teams: [team] });
    const ownerHook = await insertWebhook(db, box, owner);
    const directHook = await insertWebhook(db, box, direct, { status: 'paused' });
    const memberHook = await insertWebhook(db, box, member, { status: 'auto_paused' });
    await insertWebhook(db, box, member, { events: ['conversation.failed'] });
    await insertWebhook(db, box, freeShare);
    await insertWebhook(db, box, outsider);

    const input = event(conversation);
    expect(await events.publish(input)).toEqual({
      kind: 'created',
      eventId: input.id,
      deliveries: 1,
      missed: 2,
      webhookIds: [ownerHook.id],
    });
    const rows = await deliveriesOf(input.id);
    const byHook = Object.fromEntries(rows.map((r) => [r.webhook_id, r]));
    expect(Object.keys(byHook).sort()).toEqual([ownerHook.id, directHook.id, memberHook.id].sort());
    expect(byHook[ownerHook.id]).toMatchObject({ status: 'pending', status_reason: null, attempts: 0 });
    expect(Number(byHook[ownerHook.id]?.next_attempt_at)).toBe(50_000);
    expect(byHook[directHook.id]).toMatchObject({ status: 'missed', status_reason: 'webhook_paused' });
    expect(byHook[memberHook.id]).toMatchObject({ status: 'missed', status_reason: 'webhook_paused' });
    expect(await events.get(input.id)).toMatchObject({
      type: 'conversation.ready',
      conversation_id: conversation,
      payload: '{"type":"conversation.ready"}',
    });
  });

  it('stores an event without a conversation and delivers it nowhere', async () => {
    const input = event(null);
    expect(await events.publish(input)).toEqual({
      kind: 'created',
      eventId: input.id,
      deliveries: 0,
      missed: 0,
      webhookIds: [],
    });
    expect(await events.get(input.id)).toBeDefined();
  });

  it('replays a repeated key with the same request and refuses a different one', async () => {
    const { db } = database;
    const owner = await insertUser(db);
    const conversation = await insertConversation(db, owner);
    const hook = await insertWebhook(db, box, owner);
    const key = { key: `k-${newId.event()}`, requestHash: 'hash-a' };
    const first = event(conversation);
    expect(await events.publish(first, key)).toEqual({
      kind: 'created',
      eventId: first.id,
      deliveries: 1,
      missed: 0,
      webhookIds: [hook.id],
    });

    const again = event(conversation);
    expect(await events.publish(again, key)).toEqual({
      kind: 'replayed',
      eventId: first.id,
      deliveries: 1,
      missed: 0,
    });
    expect(await events.get(again.id)).toBeUndefined();

    const different = event(conversation);
    expect(await events.publish(different, { key: key.key, requestHash: 'hash-b' })).toEqual({
      kind: 'conflict',
      eventId: first.id,
    });
    expect(await events.get(different.id)).toBeUndefined();
    expect(await deliveriesOf(first.id)).toHaveLength(1);
  });

  it('creates one event for concurrent publishes with the same key', async () => {
    const { db } = database;
    const owner = await insertUser(db);
    const conversation = await insertConversation(db, owner);
    await insertWebhook(db, box, owner);
    const key = { key: `k-${newId.event()}`, requestHash: 'same' };
    const inputs = Array.from({ length: 6 }, () => event(conversation));
    const results = await Promise.all(inputs.map((input) => events.publish(input, key)));
    const created = results.filter((r) => r.kind === 'created');
    expect(created).toHaveLength(1);
    expect(results.every((r) => r.eventId === created[0]?.eventId)).toBe(true);
    expect(results.filter((r) => r.kind === 'replayed')).toHaveLength(5);
    const stored = await db
      .selectFrom('events')
      .select('id')
      .where(
        'id',
        'in',
        inputs.map((i) => i.id),
      )
      .execute();
    expect(stored).toHaveLength(1);
  });

  it('publishTest stores a test event with exactly one pending test delivery', async () => {
    const { db } = database;
    const owner = await insertUser(db);
    const conversation = await insertConversation(db, owner);
    const target = await insertWebhook(db, box, owner);
    const bystander = await insertWebhook(db, box, owner, { status: 'paused' });
    const input = event(conversation, { id: newId.testEvent(), test: false });
    const deliveryId = await events.publishTest(input, target.id);
    expect(deliveryId).toMatch(/^dlv_/);
    expect(await events.get(input.id)).toMatchObject({ test: 1 });
    const rows = await db.selectFrom('deliveries').selectAll().where('event_id', '=', input.id).execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      id: deliveryId,
      webhook_id: target.id,
      status: 'pending',
      test: 1,
      attempts: 0,
    });
    expect(rows.some((r) => r.webhook_id === bystander.id)).toBe(false);
  });
});
