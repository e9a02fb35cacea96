// Bad input on the auth routes: every field, status and error code, and the field named in details.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { createUserWithToken, type TestUser } from '../support/users.ts';

describeEachDatabase('auth routes, bad input on %s', (kind) => {
  let t: TestApp;
  let alice: TestUser;
  beforeAll(async () => {
    t = await createTestApp(kind);
    alice = await createUserWithToken(t, 'pro');
  });
  afterAll(() => t?.dispose());

  type Case = [name: string, payload: unknown, status: number, code: string, field?: string];

  const raw = (url: string, method: 'POST' | 'DELETE', payload: string | object, headers = {}) =>
    t.app.inject({
      method,
      url: `/api/v1${url}`,
      headers: { 'content-type': 'application/json', ...headers },
      payload: payload as string,
      // Each sign-in case from its own address so failures do not add up to the throttle.
      remoteAddress: `203.0.113.${Math.floor(Math.random() * 250) + 1}`,
    });

  const check = async (
    response: Awaited<ReturnType<typeof raw>>,
    status: number,
    code: string,
    field?: string,
  ) => {
    expect(response.statusCode).toBe(status);
    const body = response.json();
    expect(body.error.code).toBe(code);
    expect(body.error.message).toEqual(expect.any(String));
    if (field) {
      expect(body.error.details.map((d: { field: string }) => d.field)).toContain(field);
      expect(body.error.message).toContain(field);
    }
  };

  const sessionCases: Case[] = [
    ['missing email', { password: 'x' }, 422, 'validation_failed', 'email'],
    ['missing password', { email: 'a@example.com' }, 422, 'validation_failed', 'password'],
    ['email not a string', { email: 42, password: 'x' }, 422, 'validation_failed', 'email'],
    ['email not an address', { email: 'alice', password: 'x' }, 422, 'validation_failed', 'email'],
    [
      'email too long',
      { email: `${'a'.repeat(250)}@example.com`, password: 'x' },
      422,
      'validation_failed',
      'email',
    ],
    ['email null', { email: null, password: 'x' }, 422, 'validation_failed', 'email'],
    ['password empty', { email: 'a@example.com', password: '' }, 422, 'validation_failed', 'password'],
    [
      'password too long',
      { email: 'a@example.com', password: 'p'.repeat(257) },
      422,
      'validation_failed',
      'password',
    ],
    [
      'password a number',
      { email: 'a@example.com', password: 12345678 },
      422,
      'validation_failed',
      'password',
    ],
    [
      'password with NUL',
      { email: 'a@example.com', password: 'a\u0000b' },
      422,
      'validation_failed',
      'password',
    ],
    [
      'password lone surrogate',
      { email: 'a@example.com', password: '\ud800' },
      422,
      'validation_failed',
      'password',
    ],
    ['unknown field', { email: 'a@example.com', password: 'x', remember: true }, 422, 'validation_failed'],
    ['array body', [], 422, 'validation_failed'],
    ['string body', '"hello"', 422, 'validation_failed'],
    ['malformed JSON', '{"email":', 400, 'invalid_json'],
    ['__proto__ key', '{"email":"a@example.com","password":"x","__proto__":{"a":1}}', 400, 'invalid_json'],
  ];

  /** The case with its title arguments first: printf placeholders take the values in order. */
  const titled = (cases: Case[]) =>
    cases.map(([name, payload, status, code, field]) => [name, status, code, payload, field] as const);

  it.each(titled(sessionCases))(
    'POST /session with %s → %i %s',
    async (_name, status, code, payload, field) => {
      await check(
        await raw('/session', 'POST', typeof payload === 'string' ? payload : JSON.stringify(payload)),
        status,
        code,
        field,
      );
    },
  );

  it('POST /session with a text/plain body → 415 unsupported_media_type', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/session',
      headers: { 'content-type': 'text/plain' },
      payload: JSON.stringify({ email: alice.email, password: alice.password }),
    });
    await check(response, 415, 'unsupported_media_type');
  });

  it('POST /session with a form body → 415 unsupported_media_type', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/session',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `email=${encodeURIComponent(alice.email)}&password=${alice.password}`,
    });
    await check(response, 415, 'unsupported_media_type');
  });

  it('POST /session over 64 KiB → 413 payload_too_large', async () => {
    const payload = JSON.stringify({ email: alice.email, password: 'x'.repeat(70_000) });
    await check(await raw('/session', 'POST', payload), 413, 'payload_too_large');
  });

  const tokenCases: Case[] = [
    ['missing name', {}, 422, 'validation_failed', 'name'],
    ['empty name', { name: '' }, 422, 'validation_failed', 'name'],
    ['blank name', { name: '   ' }, 422, 'validation_failed', 'name'],
    ['name too long', { name: 'n'.repeat(101) }, 422, 'validation_failed', 'name'],
    ['name a number', { name: 7 }, 422, 'validation_failed', 'name'],
    ['name null', { name: null }, 422, 'validation_failed', 'name'],
    ['name with NUL', { name: 'a\u0000b' }, 422, 'validation_failed', 'name'],
    ['name lone surrogate', { name: 'x\udc00' }, 422, 'validation_failed', 'name'],
    ['unknown field', { name: 'ok', user_id: 'usr_other' }, 422, 'validation_failed'],
    ['array body', [], 422, 'validation_failed'],
    ['malformed JSON', '{"name"', 400, 'invalid_json'],
    ['constructor.prototype', '{"name":"x","constructor":{"prototype":{"a":1}}}', 400, 'invalid_json'],
  ];

  it.each(titled(tokenCases))('POST /tokens with %s → %i %s', async (_name, status, code, payload, field) => {
    const before = (await t.database.db.selectFrom('api_tokens').select('id').execute()).length;
    await check(
      await raw(
        '/tokens',
        'POST',
        typeof payload === 'string' ? payload : JSON.stringify(payload),
        alice.headers,
      ),
      status,
      code,
      field,
    );
    expect((await t.database.db.selectFrom('api_tokens').select('id').execute()).length).toBe(before);
  });

  it('POST /tokens with a text/plain body → 415 unsupported_media_type', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: { ...alice.headers, 'content-type': 'text/plain' },
      payload: '{"name":"x"}',
    });
    await check(response, 415, 'unsupported_media_type');
  });

  it('POST /tokens accepts a 100-character name and Unicode', async () => {
    for (const name of ['n'.repeat(100), 'Déploiement 🚀']) {
      const response = await raw('/tokens', 'POST', JSON.stringify({ name }), alice.headers);
      expect(response.statusCode).toBe(201);
      expect(response.json().name).toBe(name);
    }
  });

  it('DELETE /tokens/{id} with an over-long id → 422 naming params.id; odd ids → 404', async () => {
    const long = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/tokens/${'t'.repeat(101)}`,
      headers: alice.headers,
    });
    await check(long, 422, 'validation_failed', 'params.id');
    for (const id of ['nope', '%E2%9C%93', 'tok_%00', "tok_'or'1'='1"]) {
      const response = await t.app.inject({
        method: 'DELETE',
        url: `/api/v1/tokens/${id}`,
        headers: alice.headers,
      });
      expect(response.statusCode).toBe(404);
      expect(response.json().error.code).toBe('token_not_found');
    }
  });

  it('unauthenticated requests are refused before the body is read', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: { 'content-type': 'application/json' },
      payload: '{"name":',
    });
    await check(response, 401, 'unauthorized');
  });
});
