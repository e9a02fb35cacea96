// Input the service used to accept silently: a JSON body in another charset, invalid UTF-8, numbers
// written in other bases, and an `error` on event types that carry none. Each is refused, nothing stored.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { insertConversation } from '../support/fixtures.ts';
import { createUserWithToken, type TestUser } from '../support/users.ts';
import { apiAs, createWebhook } from '../support/webhook-api.ts';

describeEachDatabase('strict input on %s', (kind) => {
  let t: TestApp;
  let user: TestUser;
  let conversationId: string;
  const count = async (table: 'webhooks' | 'events') =>
    Number(
      (
        await t.database.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  beforeAll(async () => {
    t = await createTestApp(kind);
    user = await createUserWithToken(t);
    conversationId = await insertConversation(t.database.db, user.userId);
  });
  afterAll(() => t?.dispose());

  const postWebhook = (contentType: string, payload: string | Buffer) =>
    t.app.inject({
      method: 'POST',
      url: '/api/v1/webhooks',
      headers: { ...user.headers, 'content-type': contentType },
      payload,
    });
  const body = JSON.stringify({ url: 'http://127.0.0.1:9/hook' });

  it.each([
    'application/json; charset=latin1',
    'application/json; charset=iso-8859-1',
    'application/json; charset=utf-16',
    'application/json;charset="windows-1252"',
    'application/json; charset=',
  ])('%s → 415 unsupported_media_type naming the charset, nothing stored', async (contentType) => {
    const before = await count('webhooks');
    const response = await postWebhook(contentType, body);
    expect(response.statusCode).toBe(415);
    expect(response.json().error.code).toBe('unsupported_media_type');
    expect(response.json().error.message).toMatch(/charset/);
    expect(await count('webhooks')).toBe(before);
  });

  it.each([
    'application/json',
    'application/json; charset=utf-8',
    'application/json; charset=UTF-8',
    'application/json; charset="utf-8"',
  ])('%s is accepted', async (contentType) => {
    expect((await postWebhook(contentType, body)).statusCode).toBe(201);
  });

  it.each([
    ['a lone continuation byte', Buffer.from([0x80])],
    ['a truncated sequence', Buffer.from([0xe2, 0x82])],
    ['an overlong encoding', Buffer.from([0xc0, 0xaf])],
    ['a Latin-1 é', Buffer.from([0xe9])],
  ])('invalid UTF-8 (%s) in a string → 400 invalid_encoding, nothing stored', async (_name, bytes) => {
    const before = await count('webhooks');
    const payload = Buffer.concat([
      Buffer.from('{"url":"http://127.0.0.1:9/hook","description":"caf'),
      bytes,
      Buffer.from('"}'),
    ]);
    const response = await postWebhook('application/json', payload);
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('invalid_encoding');
    expect(response.json().error.message).toMatch(/UTF-8/);
    expect(await count('webhooks')).toBe(before);
  });

  it('invalid UTF-8 on the host API → 400 too', async () => {
    const response = await t.app.inject({
      method: 'PUT',
      url: '/internal/v1/teams/t_bytes',
      headers: { ...t.hostAuth, 'content-type': 'application/json' },
      payload: Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]),
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('invalid_encoding');
  });

  it.each(['0x10', '1e1', '0b11', '0o7', '+5', ' 5', '5.0', '10 ', 'Infinity', ''])(
    'limit=%j → 422 validation_failed naming querystring.limit',
    async (limit) => {
      const api = apiAs(t, user.headers);
      const webhook = await createWebhook(api);
      const response = await api.get(`/webhooks/${webhook.id}/attempts?limit=${encodeURIComponent(limit)}`);
      expect(response.statusCode).toBe(422);
      expect(response.json().error.code).toBe('validation_failed');
      expect(response.json().error.details).toEqual([
        { field: 'querystring.limit', message: expect.stringMatching(/whole number/) },
      ]);
    },
  );

  it('limit=07 and limit=100 are decimal and accepted', async () => {
    const api = apiAs(t, user.headers);
    const webhook = await createWebhook(api);
    for (const limit of ['07', '100']) {
      expect((await api.get(`/webhooks/${webhook.id}/attempts?limit=${limit}`)).statusCode).toBe(200);
    }
  });

  const publish = (payload: object) =>
    t.app.inject({ method: 'POST', url: '/internal/v1/events', headers: t.hostAuth, payload });
  const error = { code: 'transcription_failed', message: 'The audio could not be read.' };

  it.each(['conversation.ready', 'conversation.deleted'])(
    'an error on %s → 422 validation_failed naming error, nothing stored',
    async (type) => {
      const before = await count('events');
      const response = await publish({ type, conversation_id: conversationId, error });
      expect(response.statusCode).toBe(422);
      expect(response.json().error.code).toBe('validation_failed');
      expect(response.json().error.details).toEqual([
        { field: 'error', message: 'is only allowed on conversation.failed' },
      ]);
      expect(await count('events')).toBe(before);
    },
  );

  it('an error on conversation.failed is accepted', async () => {
    const response = await publish({ type: 'conversation.failed', conversation_id: conversationId, error });
    expect(response.statusCode).toBe(202);
  });
});
