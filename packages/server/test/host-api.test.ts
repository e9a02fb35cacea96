import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './support/app.ts';
import { describeEachDatabase } from './support/databases.ts';
import { insertConversation, insertTeam, insertUser, insertWebhook } from './support/fixtures.ts';

describeEachDatabase('host API on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind);
  });
  afterAll(() => t.dispose());

  const put = (url: string, payload: unknown, headers: Record<string, string> = t.hostAuth) =>
    t.app.inject({ method: 'PUT', url: `/internal/v1${url}`, payload: payload as object, headers });
  const publish = (payload: unknown, headers: Record<string, string> = {}) =>
    t.app.inject({
      method: 'POST',
      url: '/internal/v1/events',
      payload: payload as object,
      headers: { ...t.hostAuth, ...headers },
    });
  const count = async (table: 'events' | 'deliveries' | 'users' | 'conversations') =>
    Number(
      (
        await t.database.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  describe('upserts', () => {
    it('creates and replaces users, teams and conversations idempotently', async () => {
      expect((await put('/teams/team_a', { name: 'Sales' })).statusCode).toBe(200);
      const created = await put('/users/u_alice', {
        email: 'Alice@Example.com',
        plan: 'pro',
        password: 'correct horse',
        team_ids: ['team_a'],
      });
      expect(created.statusCode).toBe(200);
      expect(created.json()).toMatchObject({
        id: 'u_alice',
        email: 'alice@example.com',
        plan: 'pro',
        team_ids: ['team_a'],
      });
      expect(created.json()).not.toHaveProperty('password_hash');
      const again = await put('/users/u_alice', { email: 'alice@example.com', plan: 'team' });
      expect(again.json()).toMatchObject({ plan: 'team', team_ids: ['team_a'] });
      const row = await t.database.db
        .selectFrom('users')
        .selectAll()
        .where('id', '=', 'u_alice')
        .executeTakeFirstOrThrow();
      expect(row.password_hash).toMatch(/^\$argon2id\$/);

      expect((await put('/users/u_bob', { email: 'bob@example.com', plan: 'free' })).statusCode).toBe(200);
      const conversation = await put('/conversations/c_1', {
        owner_id: 'u_alice',
        title: 'Weekly sync',
        url: 'https://app.klang.example/c/1',
        shared_with_users: ['u_bob'],
        shared_with_teams: ['team_a'],
      });
      expect(conversation.statusCode).toBe(200);
      expect(conversation.json()).toMatchObject({
        id: 'c_1',
        owner_id: 'u_alice',
        shared_with_users: ['u_bob'],
        shared_with_teams: ['team_a'],
      });
      const team = await put('/teams/team_a', { name: 'Sales EMEA' });
      expect(team.json()).toMatchObject({ name: 'Sales EMEA', member_ids: ['u_alice'] });
    });

    it('stays idempotent under concurrent upserts of the same ids', async () => {
      await put('/teams/team_c', { name: 'Concurrent' });
      await put('/users/u_conc_share', { email: 'conc-share@example.com', plan: 'pro' });
      const users = await Promise.all(
        Array.from({ length: 12 }, () =>
          put('/users/u_conc', { email: 'conc@example.com', plan: 'pro', team_ids: ['team_c'] }),
        ),
      );
      expect(users.map((r) => r.statusCode)).toEqual(Array(12).fill(200));
      const conversations = await Promise.all(
        Array.from({ length: 12 }, () =>
          put('/conversations/c_conc', {
            owner_id: 'u_conc',
            shared_with_teams: ['team_c'],
            shared_with_users: ['u_conc_share'],
          }),
        ),
      );
      expect(conversations.map((r) => r.statusCode)).toEqual(Array(12).fill(200));
      const rivals = await Promise.all(
        ['u_r1', 'u_r2', 'u_r3', 'u_r4'].map((id) =>
          put(`/users/${id}`, { email: 'rival@example.com', plan: 'pro' }),
        ),
      );
      expect(rivals.map((r) => r.statusCode).sort()).toEqual([200, 409, 409, 409]);
      expect(
        rivals.filter((r) => r.statusCode === 409).every((r) => r.json().error.code === 'email_taken'),
      ).toBe(true);
    });

    it('refuses an email that belongs to another user with 409', async () => {
      expect((await put('/users/u_dana', { email: 'dana@example.com', plan: 'pro' })).statusCode).toBe(200);
      const response = await put('/users/u_carol', { email: 'Dana@example.com', plan: 'pro' });
      expect(response.statusCode).toBe(409);
      expect(response.json().error.code).toBe('email_taken');
    });

    it('refuses unknown referenced ids with 422 naming the field, storing nothing', async () => {
      await insertTeam(t.database.db, [], 'team_known');
      const before = await count('conversations');
      const response = await put('/conversations/c_bad', {
        owner_id: 'u_nobody',
        shared_with_teams: ['team_known', 'team_zz'],
      });
      expect(response.statusCode).toBe(422);
      expect(response.json().error.code).toBe('validation_failed');
      expect(response.json().error.details.map((d: { field: string }) => d.field)).toEqual([
        'owner_id',
        'shared_with_teams[1]',
      ]);
      expect(await count('conversations')).toBe(before);
      const user = await put('/users/u_dave', { email: 'dave@example.com', plan: 'pro', team_ids: ['nope'] });
      expect(user.statusCode).toBe(422);
      expect(
        await t.database.db.selectFrom('users').select('id').where('id', '=', 'u_dave').executeTakeFirst(),
      ).toBeUndefined();
    });
  });

  describe('bad input', () => {
    const cases: [
      string,
      () => Promise<{ statusCode: number; json(): { error: { code: string } } }>,
      number,
      string,
    ][] = [
      ['no token', () => put('/teams/x', { name: 'x' }, {}), 401, 'unauthorized'],
      [
        'wrong token',
        () => put('/teams/x', { name: 'x' }, { authorization: 'Bearer wrong-token-xxxxxxxxxxxx' }),
        401,
        'unauthorized',
      ],
      [
        'wrong type',
        () => put('/users/u_x', { email: 'x@example.com', plan: 'gold' }),
        422,
        'validation_failed',
      ],
      ['missing field', () => put('/users/u_x', { plan: 'pro' }), 422, 'validation_failed'],
      [
        'unknown field',
        () => put('/users/u_x', { email: 'x@example.com', plan: 'pro', admin: true }),
        422,
        'validation_failed',
      ],
      ['number as email', () => put('/users/u_x', { email: 42, plan: 'pro' }), 422, 'validation_failed'],
      [
        'short password',
        () => put('/users/u_x', { email: 'x@example.com', plan: 'pro', password: 'short' }),
        422,
        'validation_failed',
      ],
      [
        'NUL in title',
        () => put('/conversations/c_x', { owner_id: 'u_alice', title: 'a\u0000b' }),
        422,
        'validation_failed',
      ],
      ['lone surrogate', () => put('/teams/t_x', { name: '\ud800' }), 422, 'validation_failed'],
      ['bad path id', () => put('/teams/a.b', { name: 'x' }), 422, 'validation_failed'],
      ['long path id', () => put(`/teams/${'a'.repeat(200)}`, { name: 'x' }), 422, 'validation_failed'],
      ['array body', () => put('/teams/t_x', []), 422, 'validation_failed'],
      [
        '__proto__ key',
        () =>
          t.app.inject({
            method: 'PUT',
            url: '/internal/v1/teams/t_x',
            headers: { ...t.hostAuth, 'content-type': 'application/json' },
            payload: '{"name":"x","__proto__":{"admin":true}}',
          }),
        400,
        'invalid_json',
      ],
      [
        'constructor.prototype',
        () =>
          t.app.inject({
            method: 'PUT',
            url: '/internal/v1/teams/t_x',
            headers: { ...t.hostAuth, 'content-type': 'application/json' },
            payload: '{"name":"x","constructor":{"prototype":{"admin":true}}}',
          }),
        400,
        'invalid_json',
      ],
      [
        'malformed JSON',
        () =>
          t.app.inject({
            method: 'PUT',
            url: '/internal/v1/teams/t_x',
            headers: { ...t.hostAuth, 'content-type': 'application/json' },
            payload: '{"name":',
          }),
        400,
        'invalid_json',
      ],
      [
        'non-JSON',
        () =>
          t.app.inject({
            method: 'PUT',
            url: '/internal/v1/teams/t_x',
            headers: { ...t.hostAuth, 'content-type': 'text/plain' },
            payload: 'name=x',
          }),
        415,
        'unsupported_media_type',
      ],
      [
        'form body',
        () =>
          t.app.inject({
            method: 'PUT',
            url: '/internal/v1/teams/t_x',
            headers: { ...t.hostAuth, 'content-type': 'application/x-www-form-urlencoded' },
            payload: 'name=x',
          }),
        415,
        'unsupported_media_type',
      ],
      ['oversize body', () => put('/teams/t_x', { name: 'x'.repeat(70 * 1024) }), 413, 'payload_too_large'],
      [
        'unknown event type',
        () => publish({ type: 'conversation.nope', conversation_id: 'c_1' }),
        422,
        'unknown_event_type',
      ],
      [
        'unknown conversation',
        () => publish({ type: 'conversation.ready', conversation_id: 'c_missing' }),
        404,
        'conversation_not_found',
      ],
      [
        'numeric conversation id',
        () => publish({ type: 'conversation.ready', conversation_id: 1.5 }),
        422,
        'validation_failed',
      ],
      [
        'bad idempotency key',
        () =>
          publish({ type: 'conversation.ready', conversation_id: 'c_1' }, { 'idempotency-key': 'has space' }),
        422,
        'validation_failed',
      ],
    ];

    // Title arguments first: printf placeholders take the case's values in order.
    const titled = cases.map(([name, send, status, code]) => [name, status, code, send] as const);
    it.each(titled)('%s → %i %s, nothing stored', async (_name, status, code, send) => {
      const before = [await count('events'), await count('users'), await count('conversations')];
      const response = await send();
      expect(response.statusCode).toBe(status);
      expect(response.json().error.code).toBe(code);
      expect([await count('events'), await count('users'), await count('conversations')]).toEqual(before);
      expect(({} as Record<string, unknown>).admin).toBeUndefined();
    });

    it('names unknown fields one by one, and treats an empty JSON body as no body', async () => {
      const unknown = await put('/users/u_x', {
        email: 'x@example.com',
        plan: 'pro',
        admin: true,
        role: 'owner',
      });
      expect(unknown.json().error.details).toEqual([
        { field: 'admin', message: 'is not a known field' },
        { field: 'role', message: 'is not a known field' },
      ]);
      const empty = await t.app.inject({
        method: 'POST',
        url: '/internal/v1/events',
        headers: { ...t.hostAuth, 'content-type': 'application/json' },
        payload: '',
      });
      expect(empty.statusCode).toBe(422);
      expect(empty.json().error.code).toBe('validation_failed');
    });

    it('accepts the bearer scheme in any case', async () => {
      const response = await put(
        '/teams/t_case',
        { name: 'Case' },
        { authorization: t.hostAuth.authorization.replace('Bearer', 'bearer') },
      );
      expect(response.statusCode).toBe(200);
    });

    it('names the failing field in validation details', async () => {
      const response = await put('/users/u_x', { email: 'not-an-email', plan: 'pro' });
      expect(response.json().error.details).toEqual([{ field: 'email', message: expect.any(String) }]);
    });
  });

  describe('fan-out', () => {
    it('reaches exactly the eligible webhooks', async () => {
      const { db } = t.database;
      const box = t.container.secretBox;
      const owner = await insertUser(db, 'pro');
      const direct = await insertUser(db, 'team');
      const member = await insertUser(db, 'pro');
      const freeShared = await insertUser(db, 'free');
      const outsider = await insertUser(db, 'pro');
      const team = await insertTeam(db, [member]);
      const conversation = await insertConversation(db, owner, {
        users: [direct, freeShared],
        teams: [team],
      });

      const expected = [
        (await insertWebhook(db, box, owner)).id,
        (await insertWebhook(db, box, direct, { events: ['conversation.ready'] })).id,
        (await insertWebhook(db, box, member)).id,
      ];
      const paused = (await insertWebhook(db, box, owner, { status: 'paused' })).id;
      await insertWebhook(db, box, direct, { events: ['conversation.failed'] }); // not subscribed
      await insertWebhook(db, box, freeShared); // free plan
      await insertWebhook(db, box, outsider); // no access
      const deleted = await insertWebhook(db, box, member);
      await db.deleteFrom('webhooks').where('id', '=', deleted.id).execute();

      const response = await publish({ type: 'conversation.ready', conversation_id: conversation });
      expect(response.statusCode).toBe(202);
      const body = response.json();
      expect(body).toEqual({ id: expect.stringMatching(/^evt_[0-9a-z]{26}$/), deliveries: 3, missed: 1 });

      const rows = await db
        .selectFrom('deliveries')
        .select(['webhook_id', 'status'])
        .where('event_id', '=', body.id)
        .execute();
      expect(
        rows
          .filter((r) => r.status === 'pending')
          .map((r) => r.webhook_id)
          .sort(),
      ).toEqual([...expected].sort());
      expect(rows.filter((r) => r.status === 'missed').map((r) => r.webhook_id)).toEqual([paused]);

      const event = await db
        .selectFrom('events')
        .selectAll()
        .where('id', '=', body.id)
        .executeTakeFirstOrThrow();
      expect(JSON.parse(event.payload)).toEqual({
        id: body.id,
        type: 'conversation.ready',
        created_at: expect.stringMatching(/Z$/),
        data: {
          conversation: {
            id: conversation,
            title: 'Weekly sync',
            url: `https://app.klang.example/c/${conversation}`,
          },
        },
      });
    });

    it('adds the error object to conversation.failed payloads', async () => {
      const owner = await insertUser(t.database.db, 'pro');
      const conversation = await insertConversation(t.database.db, owner);
      const response = await publish({
        type: 'conversation.failed',
        conversation_id: conversation,
        error: { code: 'audio_unreadable', message: 'The file has no audio.' },
      });
      expect(response.statusCode).toBe(202);
      const event = await t.database.db
        .selectFrom('events')
        .select('payload')
        .where('id', '=', response.json().id)
        .executeTakeFirstOrThrow();
      expect(JSON.parse(event.payload).data.error).toEqual({
        code: 'audio_unreadable',
        message: 'The file has no audio.',
      });
    });
  });

  describe('idempotency', () => {
    it('gives one event for one key, even when sent concurrently', async () => {
      const { db } = t.database;
      const owner = await insertUser(db, 'pro');
      const conversation = await insertConversation(db, owner);
      await insertWebhook(db, t.container.secretBox, owner);
      const key = `key-${Date.now()}`;
      const responses = await Promise.all(
        Array.from({ length: 20 }, () =>
          publish(
            { type: 'conversation.deleted', conversation_id: conversation },
            { 'idempotency-key': key },
          ),
        ),
      );
      expect(responses.map((r) => r.statusCode)).toEqual(Array(20).fill(202));
      const ids = new Set(responses.map((r) => r.json().id));
      expect(ids.size).toBe(1);
      expect(responses.every((r) => r.json().deliveries === 1)).toBe(true);
      const [eventId] = [...ids];
      const deliveries = await db
        .selectFrom('deliveries')
        .select('id')
        .where('event_id', '=', eventId!)
        .execute();
      expect(deliveries).toHaveLength(1);
      expect(responses.filter((r) => r.headers['idempotent-replayed'] === 'true')).toHaveLength(19);

      const conflict = await publish(
        { type: 'conversation.ready', conversation_id: conversation },
        { 'idempotency-key': key },
      );
      expect(conflict.statusCode).toBe(409);
      expect(conflict.json().error.code).toBe('idempotency_conflict');
    });
  });
});
