// POST /internal/v1/events/batch on SQLite and PostgreSQL: answers in order, only acceptable events
// stored and fanned out, the 1–500 envelope, idempotency keys shared with POST /events, auth.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './support/app.ts';
import { describeEachDatabase } from './support/databases.ts';
import { insertConversation, insertUser, insertWebhook } from './support/fixtures.ts';

interface Entry {
  id?: string;
  deliveries?: number;
  missed?: number;
  error?: { code: string; message: string; details?: { field: string; message: string }[] };
}

describeEachDatabase('POST /internal/v1/events/batch on %s', (kind) => {
  let t: TestApp;
  let conversation: string;
  beforeAll(async () => {
    t = await createTestApp(kind);
    const { db } = t.database;
    const owner = await insertUser(db, 'pro');
    conversation = await insertConversation(db, owner);
    await insertWebhook(db, t.container.secretBox, owner);
    await insertWebhook(db, t.container.secretBox, owner, { status: 'paused' });
  });
  afterAll(() => t.dispose());

  const batch = (payload: unknown, headers: Record<string, string> = t.hostAuth) =>
    t.app.inject({
      method: 'POST',
      url: '/internal/v1/events/batch',
      payload: payload as object,
      headers,
    });
  const single = (payload: object, key: string) =>
    t.app.inject({
      method: 'POST',
      url: '/internal/v1/events',
      payload,
      headers: { ...t.hostAuth, 'idempotency-key': key },
    });
  const count = async (table: 'events' | 'deliveries' | 'idempotency_keys') =>
    Number(
      (
        await t.database.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const deliveriesOf = (eventId: string) =>
    t.database.db
      .selectFrom('deliveries')
      .select('status')
      .where('event_id', '=', eventId)
      .orderBy('status')
      .execute();
  const ready = () => ({ type: 'conversation.ready', conversation_id: conversation });
  const unique = (name: string) => `${name}-${kind}-${Math.random().toString(36).slice(2)}`;

  it('answers each entry in order, storing and fanning out only the acceptable ones', async () => {
    const before = await count('events');
    const response = await batch({
      events: [
        ready(),
        { type: 'conversation.nope', conversation_id: conversation },
        {
          type: 'conversation.failed',
          conversation_id: conversation,
          error: { code: 'audio_unreadable', message: 'The file has no audio.' },
        },
        { ...ready(), error: { code: 'x', message: 'y' } },
        { type: 'conversation.ready', conversation_id: 'c_missing' },
        { type: 42, conversation_id: conversation },
        { ...ready(), idempotency_key: 'has space' },
        { type: 'conversation.ready', conversationId: conversation },
        { type: 'conversation.deleted', conversation_id: conversation, idempotency_key: unique('mixed') },
      ],
    });
    expect(response.statusCode, response.body).toBe(202);
    const data: Entry[] = response.json().data;
    expect(data).toHaveLength(9);
    const accepted = { id: expect.stringMatching(/^evt_[0-9a-z]{26}$/), deliveries: 1, missed: 1 };
    for (const i of [0, 2, 8]) expect(data[i]).toEqual(accepted);
    const refused = (code: string, field?: string) => ({
      error: {
        code,
        message: expect.any(String),
        ...(field ? { details: [{ field, message: expect.any(String) }] } : {}),
      },
    });
    expect(data[1]).toEqual(refused('unknown_event_type', 'events[1].type'));
    expect(data[3]).toEqual(refused('validation_failed', 'events[3].error'));
    expect(data[4]).toEqual(refused('conversation_not_found'));
    expect(data[5]).toEqual(refused('validation_failed', 'events[5].type'));
    expect(data[6]).toEqual(refused('validation_failed', 'events[6].idempotency_key'));
    expect(data[7]!.error!.details!.map((d) => d.field).sort()).toEqual([
      'events[7].conversationId',
      'events[7].conversation_id',
    ]);

    expect(await count('events')).toBe(before + 3);
    const ids = [0, 2, 8].map((i) => data[i]!.id!);
    expect(new Set(ids).size).toBe(3);
    const stored = await t.database.db
      .selectFrom('events')
      .select(['id', 'type', 'payload'])
      .where('id', 'in', ids)
      .execute();
    const types = Object.fromEntries(stored.map((e) => [e.id, e.type]));
    expect(ids.map((id) => types[id])).toEqual([
      'conversation.ready',
      'conversation.failed',
      'conversation.deleted',
    ]);
    const failed = JSON.parse(stored.find((e) => e.id === ids[1])!.payload);
    expect(failed).toMatchObject({
      id: ids[1],
      type: 'conversation.failed',
      data: {
        conversation: { id: conversation, title: 'Weekly sync' },
        error: { code: 'audio_unreadable', message: 'The file has no audio.' },
      },
    });
    for (const id of ids) {
      expect((await deliveriesOf(id)).map((d) => d.status)).toEqual(['missed', 'pending']);
    }
  });

  it('accepts 500 events at their longest in one request and refuses 501, storing nothing', async () => {
    const long = (i: number) => ({
      type: 'conversation.failed',
      conversation_id: conversation,
      error: { code: 'c'.repeat(100), message: `${i} ${'m'.repeat(1990)}` },
      idempotency_key: `${unique('long')}-${i}-`.padEnd(255, 'k'),
    });
    const events = Array.from({ length: 500 }, (_, i) => long(i));
    expect(JSON.stringify({ events }).length).toBeGreaterThan(1024 * 1024);
    const before = await count('events');
    const response = await batch({ events });
    expect(response.statusCode, response.body.slice(0, 300)).toBe(202);
    const data: Entry[] = response.json().data;
    expect(data).toHaveLength(500);
    expect(data.every((d) => d.deliveries === 1 && d.missed === 1)).toBe(true);
    expect(new Set(data.map((d) => d.id)).size).toBe(500);
    expect(await count('events')).toBe(before + 500);
    const deliveries = await t.database.db
      .selectFrom('deliveries')
      .select((eb) => eb.fn.countAll().as('n'))
      .where(
        'event_id',
        'in',
        data.map((d) => d.id!),
      )
      .executeTakeFirstOrThrow();
    expect(Number(deliveries.n)).toBe(1000);

    const counts = [await count('events'), await count('deliveries'), await count('idempotency_keys')];
    const tooMany = await batch({ events: [...events.map((_, i) => long(i + 1000)), long(2000)] });
    expect(tooMany.statusCode).toBe(422);
    expect(tooMany.json().error.code).toBe('validation_failed');
    expect(tooMany.json().error.details).toEqual([
      { field: 'events', message: 'must hold at most 500 events' },
    ]);
    expect([await count('events'), await count('deliveries'), await count('idempotency_keys')]).toEqual(
      counts,
    );
  });

  it('refuses a body over 4 MiB with 413', async () => {
    const response = await batch({ events: [{ ...ready(), padding: 'x'.repeat(4 * 1024 * 1024) }] });
    expect(response.statusCode).toBe(413);
    expect(response.json().error).toEqual({
      code: 'payload_too_large',
      message: 'The request body is larger than 4 MiB.',
    });
  });

  it('shares idempotency keys with POST /events: same body, same event, one fan-out', async () => {
    const first = unique('shared-a');
    const second = unique('shared-b');
    const viaSingle = await single(ready(), first);
    expect(viaSingle.statusCode).toBe(202);
    const before = [await count('events'), await count('deliveries')];

    const replay = await batch({ events: [{ ...ready(), idempotency_key: first }] });
    expect(replay.statusCode).toBe(202);
    expect(replay.json().data).toEqual([viaSingle.json()]);
    expect([await count('events'), await count('deliveries')]).toEqual(before);

    const mixed = await batch({
      events: [
        { type: 'conversation.deleted', conversation_id: conversation, idempotency_key: first },
        { type: 'conversation.deleted', conversation_id: conversation, idempotency_key: second },
      ],
    });
    const [conflict, created] = mixed.json().data as Entry[];
    expect(conflict).toEqual({
      error: {
        code: 'idempotency_conflict',
        message: expect.any(String),
        details: [
          { field: 'events[0].idempotency_key', message: `already used for event ${viaSingle.json().id}` },
        ],
      },
    });
    expect(created).toEqual({ id: expect.stringMatching(/^evt_/), deliveries: 1, missed: 1 });
    expect(await count('events')).toBe(before[0]! + 1);

    const backToSingle = await single(
      { type: 'conversation.deleted', conversation_id: conversation },
      second,
    );
    expect(backToSingle.statusCode).toBe(202);
    expect(backToSingle.headers['idempotent-replayed']).toBe('true');
    expect(backToSingle.json()).toEqual(created);
    expect((await single(ready(), second)).json().error.code).toBe('idempotency_conflict');
    expect(await count('events')).toBe(before[0]! + 1);
  });

  it('treats a key used twice in one batch as a replay of the first use, or a conflict with it', async () => {
    const key = unique('dup');
    const other = unique('dup-other');
    const late = unique('dup-late');
    const before = await count('events');
    const response = await batch({
      events: [
        { ...ready(), idempotency_key: key },
        { ...ready(), idempotency_key: key },
        { type: 'conversation.deleted', conversation_id: conversation, idempotency_key: key },
        { type: 'conversation.ready', conversation_id: 'c_missing', idempotency_key: late },
        { ...ready(), idempotency_key: late },
        { ...ready(), idempotency_key: other },
      ],
    });
    expect(response.statusCode).toBe(202);
    const data: Entry[] = response.json().data;
    expect(data[0]).toEqual({ id: expect.stringMatching(/^evt_/), deliveries: 1, missed: 1 });
    expect(data[1]).toEqual(data[0]);
    expect(data[2]!.error).toMatchObject({
      code: 'idempotency_conflict',
      details: [{ field: 'events[2].idempotency_key', message: `already used for event ${data[0]!.id}` }],
    });
    // The first use of `late` was refused, so the second is the one that creates the event.
    expect(data[3]!.error!.code).toBe('conversation_not_found');
    expect(data[4]).toEqual({ id: expect.stringMatching(/^evt_/), deliveries: 1, missed: 1 });
    expect(data[5]).toEqual({ id: expect.stringMatching(/^evt_/), deliveries: 1, missed: 1 });
    expect(new Set([data[0]!.id, data[4]!.id, data[5]!.id]).size).toBe(3);
    expect(await count('events')).toBe(before + 3);
    expect(await deliveriesOf(data[0]!.id!)).toHaveLength(2);
  });

  it('gives one event per key when batches sharing keys arrive concurrently', async () => {
    const keys = Array.from({ length: 20 }, (_, i) => unique(`conc-${i}`));
    const before = await count('events');
    const orders = [keys, [...keys].reverse(), [...keys.slice(10), ...keys.slice(0, 10)]];
    const responses = await Promise.all(
      orders.map((order) =>
        batch({ events: order.map((idempotency_key) => ({ ...ready(), idempotency_key })) }),
      ),
    );
    expect(responses.map((r) => r.statusCode)).toEqual([202, 202, 202]);
    const idOf = responses.map((r, n) => {
      const data: Entry[] = r.json().data;
      return Object.fromEntries(orders[n]!.map((key, i) => [key, data[i]!.id]));
    });
    for (const key of keys) {
      expect(idOf[1]![key]).toBe(idOf[0]![key]);
      expect(idOf[2]![key]).toBe(idOf[0]![key]);
    }
    expect(await count('events')).toBe(before + 20);
  });

  it('counts created events in klang_events_published_total and every entry in the intake histogram', async () => {
    const { registry } = t.container.metrics;
    const read = async () => {
      const published = (await registry.getSingleMetric('klang_events_published_total')!.get()).values;
      const intake = (await registry.getSingleMetric('klang_intake_duration_seconds')!.get()).values as {
        metricName?: string;
        labels: Record<string, unknown>;
        value: number;
      }[];
      const countOf = (result: string) =>
        intake.find((v) => v.metricName?.endsWith('_count') && v.labels.result === result)?.value ?? 0;
      return {
        deleted: published.find((v) => v.labels.type === 'conversation.deleted')?.value ?? 0,
        created: countOf('created'),
        replayed: countOf('replayed'),
        refused: countOf('refused'),
      };
    };
    const key = unique('metrics');
    const deleted = { type: 'conversation.deleted', conversation_id: conversation, idempotency_key: key };
    const before = await read();
    await batch({ events: [deleted, deleted, { type: 'conversation.ready', conversation_id: 'c_missing' }] });
    expect(await read()).toEqual({
      deleted: before.deleted + 1,
      created: before.created + 1,
      replayed: before.replayed + 1,
      refused: before.refused + 1,
    });
  });

  describe('refuses the whole batch', () => {
    type Answer = { statusCode: number; json(): { error: { code: string; details?: unknown } } };
    const cases: [string, () => Promise<Answer>, number, string, string?][] = [
      ['no token', () => batch({ events: [ready()] }, {}), 401, 'unauthorized'],
      [
        'a wrong token',
        () => batch({ events: [ready()] }, { authorization: 'Bearer wrong-token-xxxxxxxxxxxx' }),
        401,
        'unauthorized',
      ],
      ['an array body', () => batch([ready()]), 422, 'validation_failed', 'body'],
      [
        'an empty body',
        () =>
          t.app.inject({
            method: 'POST',
            url: '/internal/v1/events/batch',
            headers: { ...t.hostAuth, 'content-type': 'application/json' },
            payload: '',
          }),
        422,
        'validation_failed',
        'body',
      ],
      [
        'malformed JSON',
        () =>
          t.app.inject({
            method: 'POST',
            url: '/internal/v1/events/batch',
            headers: { ...t.hostAuth, 'content-type': 'application/json' },
            payload: '{"events":[',
          }),
        400,
        'invalid_json',
      ],
      ['events missing', () => batch({}), 422, 'validation_failed', 'events'],
      ['events not an array', () => batch({ events: ready() }), 422, 'validation_failed', 'events'],
      ['no events', () => batch({ events: [] }), 422, 'validation_failed', 'events'],
      [
        'an entry not an object',
        () => batch({ events: [ready(), [ready()]] }),
        422,
        'validation_failed',
        'events[1]',
      ],
      [
        'a null entry',
        () => batch({ events: [ready(), ready(), null] }),
        422,
        'validation_failed',
        'events[2]',
      ],
      [
        'an unknown property',
        () => batch({ events: [ready()], dry_run: true }),
        422,
        'validation_failed',
        'dry_run',
      ],
    ];
    const titled = cases.map(
      ([name, send, status, code, field]) => [name, status, code, send, field] as const,
    );
    it.each(titled)('for %s → %i %s, nothing stored', async (_name, status, code, send, field) => {
      const before = [await count('events'), await count('deliveries')];
      const response = await send();
      expect(response.statusCode).toBe(status);
      expect(response.json().error.code).toBe(code);
      if (field) expect(response.json().error.details).toEqual([{ field, message: expect.any(String) }]);
      expect([await count('events'), await count('deliveries')]).toEqual(before);
    });
  });
});
