// Sign-in, sessions, CSRF, API tokens and their revocation through the user API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { createUserWithToken, sessionHeaders, signIn, type TestUser } from '../support/users.ts';

describeEachDatabase('user API auth on %s', (kind) => {
  let t: TestApp;
  let alice: TestUser;
  let bob: TestUser;
  beforeAll(async () => {
    t = await createTestApp(kind);
    alice = await createUserWithToken(t, 'pro');
    bob = await createUserWithToken(t, 'free');
  });
  afterAll(() => t?.dispose());

  const inject = (method: string, url: string, headers: Record<string, string> = {}, payload?: object) =>
    t.app.inject({
      method: method as 'GET',
      url: `/api/v1${url}`,
      headers,
      ...(payload === undefined ? {} : { payload }),
    });
  const postSession = (payload: object, remoteAddress = '198.51.100.1') =>
    t.app.inject({ method: 'POST', url: '/api/v1/session', payload, remoteAddress });

  describe('sign-in', () => {
    it('answers 200 with the user and a CSRF token, and sets the session cookie', async () => {
      const response = await postSession({ email: alice.email.toUpperCase(), password: alice.password });
      expect(response.statusCode).toBe(200);
      const body = response.json();
      expect(body.user).toEqual({ id: alice.userId, email: alice.email, plan: 'pro' });
      expect(body.csrf_token).toMatch(/^[A-Za-z0-9_-]{32}$/);
      const header = String(response.headers['set-cookie']);
      expect(header).toMatch(/^klang_session=kws_[A-Za-z0-9_-]{43};/);
      expect(header).toContain('HttpOnly');
      expect(header).toContain('SameSite=Lax');
      expect(header).toContain('Path=/');
      expect(header).not.toContain('Secure');
    });

    it('answers the same 401 invalid_credentials for a wrong password and an unknown email', async () => {
      const wrong = await postSession({ email: alice.email, password: 'not her password' });
      const unknown = await postSession({ email: 'nobody@example.com', password: 'whatever' });
      for (const response of [wrong, unknown]) {
        expect(response.statusCode).toBe(401);
        expect(response.headers['set-cookie']).toBeUndefined();
      }
      expect(wrong.json()).toEqual(unknown.json());
      expect(wrong.json().error.code).toBe('invalid_credentials');
    });

    it('refuses a user the host created without a password', async () => {
      await t.app.inject({
        method: 'PUT',
        url: '/internal/v1/users/u_nopass',
        headers: t.hostAuth,
        payload: { email: 'nopass@example.com', plan: 'pro' },
      });
      const response = await postSession({ email: 'nopass@example.com', password: 'anything' });
      expect(response.statusCode).toBe(401);
      expect(response.json().error.code).toBe('invalid_credentials');
    });

    it('stores only hashes of the session and CSRF tokens', async () => {
      const session = await signIn(t, alice.email, alice.password);
      const token = session.cookie.split('=')[1]!;
      const rows = await t.database.db.selectFrom('sessions').selectAll().execute();
      const dump = JSON.stringify(rows);
      expect(dump).not.toContain(token);
      expect(dump).not.toContain(session.csrf);
      expect(
        rows.every((r) => /^[0-9a-f]{64}$/.test(r.token_hash) && /^[0-9a-f]{64}$/.test(r.csrf_hash)),
      ).toBe(true);
    });
  });

  describe('credentials', () => {
    it('GET /me answers with a bearer token and with the session cookie', async () => {
      const byToken = await inject('GET', '/me', alice.headers);
      expect(byToken.statusCode).toBe(200);
      expect(byToken.json()).toEqual({ id: alice.userId, email: alice.email, plan: 'pro' });
      const session = await signIn(t, bob.email, bob.password);
      const byCookie = await inject('GET', '/me', { cookie: session.cookie });
      expect(byCookie.statusCode).toBe(200);
      expect(byCookie.json()).toEqual({ id: bob.userId, email: bob.email, plan: 'free' });
    });

    it.each([
      ['no credential', {}],
      ['an unknown bearer token', { authorization: 'Bearer kwt_unknown' }],
      ['a malformed authorization header', { authorization: 'Basic YWxpY2U6cHc=' }],
      ['an empty bearer', { authorization: 'Bearer ' }],
      ['an unknown session cookie', { cookie: 'klang_session=kws_forged' }],
      ['another cookie only', { cookie: 'other=1' }],
    ])('answers 401 unauthorized with %s', async (_name, headers) => {
      const response = await inject('GET', '/me', headers as Record<string, string>);
      expect(response.statusCode).toBe(401);
      expect(response.json().error.code).toBe('unauthorized');
      expect(response.headers['www-authenticate']).toBe('Bearer');
    });

    it('does not fall back to the cookie when a bearer token is sent and wrong', async () => {
      const session = await signIn(t, alice.email, alice.password);
      const response = await inject('GET', '/me', { cookie: session.cookie, authorization: 'Bearer nope' });
      expect(response.statusCode).toBe(401);
      expect(response.json().error.code).toBe('unauthorized');
    });
  });

  describe('CSRF', () => {
    it('refuses cookie-authenticated unsafe requests without x-csrf-token with 403 csrf_required', async () => {
      const session = await signIn(t, alice.email, alice.password);
      const before = (await inject('GET', '/tokens', alice.headers)).json().data.length;
      const requests = [
        inject('POST', '/tokens', sessionHeaders(session, { csrf: false }), { name: 'x' }),
        inject('POST', '/tokens', { cookie: session.cookie, 'x-csrf-token': 'wrong' }, { name: 'x' }),
        inject('POST', '/tokens', { cookie: session.cookie, 'x-csrf-token': '' }, { name: 'x' }),
        inject('DELETE', '/tokens/tok_whatever', sessionHeaders(session, { csrf: false })),
        inject('DELETE', '/session', sessionHeaders(session, { csrf: false })),
      ];
      for (const response of await Promise.all(requests)) {
        expect(response.statusCode).toBe(403);
        expect(response.json().error.code).toBe('csrf_required');
      }
      expect((await inject('GET', '/tokens', alice.headers)).json().data.length).toBe(before);
      // The session still works, and its own CSRF token is accepted.
      const created = await inject('POST', '/tokens', sessionHeaders(session), { name: 'from the UI' });
      expect(created.statusCode).toBe(201);
    });

    it("does not accept another session's CSRF token", async () => {
      const one = await signIn(t, alice.email, alice.password);
      const two = await signIn(t, alice.email, alice.password);
      const response = await inject(
        'POST',
        '/tokens',
        { cookie: one.cookie, 'x-csrf-token': two.csrf },
        {
          name: 'x',
        },
      );
      expect(response.statusCode).toBe(403);
      expect(response.json().error.code).toBe('csrf_required');
    });

    it('needs no CSRF header for safe methods or bearer tokens', async () => {
      const session = await signIn(t, alice.email, alice.password);
      expect((await inject('GET', '/tokens', { cookie: session.cookie })).statusCode).toBe(200);
      const created = await inject('POST', '/tokens', alice.headers, { name: 'script' });
      expect(created.statusCode).toBe(201);
    });
  });

  describe('sign-out', () => {
    it('DELETE /session answers 204, clears the cookie, and the cookie then answers 401', async () => {
      const session = await signIn(t, alice.email, alice.password);
      const response = await inject('DELETE', '/session', sessionHeaders(session));
      expect(response.statusCode).toBe(204);
      expect(response.body).toBe('');
      expect(String(response.headers['set-cookie'])).toMatch(/^klang_session=;.*Max-Age=0/);
      const after = await inject('GET', '/me', { cookie: session.cookie });
      expect(after.statusCode).toBe(401);
      expect(after.json().error.code).toBe('unauthorized');
      // Other sessions and tokens of the user are untouched.
      expect((await inject('GET', '/me', alice.headers)).statusCode).toBe(200);
    });

    it('DELETE /session with an API token answers 204 and leaves the token working', async () => {
      const response = await inject('DELETE', '/session', alice.headers);
      expect(response.statusCode).toBe(204);
      expect((await inject('GET', '/me', alice.headers)).statusCode).toBe(200);
    });

    it('a new sign-in from the same browser ends the session it replaces', async () => {
      const first = await signIn(t, bob.email, bob.password);
      const second = await t.app.inject({
        method: 'POST',
        url: '/api/v1/session',
        headers: { cookie: first.cookie },
        payload: { email: bob.email, password: bob.password },
      });
      expect(second.statusCode).toBe(200);
      expect((await inject('GET', '/me', { cookie: first.cookie })).statusCode).toBe(401);
    });
  });

  describe('password change through the host API', () => {
    const putUser = (user: TestUser, body: Record<string, unknown>) =>
      t.app.inject({
        method: 'PUT',
        url: `/internal/v1/users/${user.userId}`,
        headers: t.hostAuth,
        payload: { email: user.email, plan: 'pro', ...body },
      });

    it('a new password ends every session of the user; API tokens and other users stay signed in', async () => {
      const carol = await createUserWithToken(t, 'pro');
      const dave = await createUserWithToken(t, 'pro');
      const phone = await signIn(t, carol.email, carol.password);
      const laptop = await signIn(t, carol.email, carol.password);
      const other = await signIn(t, dave.email, dave.password);
      expect((await putUser(carol, { password: 'a-brand-new-password' })).statusCode).toBe(200);
      for (const session of [phone, laptop]) {
        const response = await inject('GET', '/me', { cookie: session.cookie });
        expect(response.statusCode).toBe(401);
        expect(response.json().error.code).toBe('unauthorized');
      }
      expect((await inject('GET', '/me', { cookie: other.cookie })).statusCode).toBe(200);
      expect((await inject('GET', '/me', carol.headers)).statusCode).toBe(200);
      expect((await postSession({ email: carol.email, password: carol.password })).statusCode).toBe(401);
      await signIn(t, carol.email, 'a-brand-new-password');
    });

    it('the same password again, or none, keeps the sessions (the host may re-send users)', async () => {
      const erin = await createUserWithToken(t, 'pro');
      const session = await signIn(t, erin.email, erin.password);
      expect((await putUser(erin, { password: erin.password })).statusCode).toBe(200);
      expect((await putUser(erin, { plan: 'team' })).statusCode).toBe(200);
      expect((await inject('GET', '/me', { cookie: session.cookie })).statusCode).toBe(200);
    });
  });

  describe('API tokens', () => {
    it('creates a token shown once, hashed at rest, listed without its secret', async () => {
      const created = await inject('POST', '/tokens', alice.headers, { name: 'deploy bot' });
      expect(created.statusCode).toBe(201);
      const body = created.json();
      expect(body).toEqual({
        id: expect.stringMatching(/^tok_[0-9a-z]{26}$/),
        name: 'deploy bot',
        token: expect.stringMatching(/^kwt_[A-Za-z0-9_-]{43}$/),
        created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      });
      const rows = await t.database.db.selectFrom('api_tokens').selectAll().execute();
      expect(JSON.stringify(rows)).not.toContain(body.token);
      expect(JSON.stringify(rows)).not.toContain(body.token.slice(4));
      const row = rows.find((r) => r.id === body.id)!;
      expect(row.token_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(row.user_id).toBe(alice.userId);

      const list = await inject('GET', '/tokens', alice.headers);
      expect(list.statusCode).toBe(200);
      const listed = list.json();
      expect(listed.next_cursor).toBeNull();
      expect(listed.data[0]).toEqual({
        id: body.id,
        name: 'deploy bot',
        created_at: body.created_at,
        last_used_at: null,
      });
      expect(list.body).not.toContain('kwt_');
      expect(listed.data.map((d: { id: string }) => d.id)).toEqual(
        [...listed.data.map((d: { id: string }) => d.id)].sort().reverse(),
      );

      const used = await inject('GET', '/me', { authorization: `Bearer ${body.token}` });
      expect(used.json().id).toBe(alice.userId);
      const after = (await inject('GET', '/tokens', alice.headers)).json().data;
      expect(after.find((d: { id: string }) => d.id === body.id).last_used_at).not.toBeNull();
    });

    it('lists only the caller’s tokens', async () => {
      const mine = (await inject('GET', '/tokens', bob.headers)).json().data;
      const theirs = (await inject('GET', '/tokens', alice.headers)).json().data;
      const theirIds = new Set(theirs.map((d: { id: string }) => d.id));
      expect(mine.length).toBeGreaterThan(0);
      expect(mine.some((d: { id: string }) => theirIds.has(d.id))).toBe(false);
    });

    it('revokes a token: 204, then 401 for it; 404 token_not_found for others and unknown ids', async () => {
      const created = (await inject('POST', '/tokens', alice.headers, { name: 'temp' })).json();
      const bearer = { authorization: `Bearer ${created.token}` };
      expect((await inject('GET', '/me', bearer)).statusCode).toBe(200);

      const byBob = await inject('DELETE', `/tokens/${created.id}`, bob.headers);
      const unknown = await inject('DELETE', '/tokens/tok_00000000000000000000000000', bob.headers);
      expect(byBob.statusCode).toBe(404);
      expect(byBob.json().error.code).toBe('token_not_found');
      expect(unknown.statusCode).toBe(404);
      expect(byBob.json().error.code).toBe(unknown.json().error.code);
      expect((await inject('GET', '/me', bearer)).statusCode).toBe(200);

      const revoked = await inject('DELETE', `/tokens/${created.id}`, alice.headers);
      expect(revoked.statusCode).toBe(204);
      expect(revoked.body).toBe('');
      const after = await inject('GET', '/me', bearer);
      expect(after.statusCode).toBe(401);
      expect(after.json().error.code).toBe('unauthorized');
      const again = await inject('DELETE', `/tokens/${created.id}`, alice.headers);
      expect(again.statusCode).toBe(404);
      expect(again.json().error.code).toBe('token_not_found');
    });

    it('refuses more than 100 tokens per user with 409 token_limit_reached', async () => {
      const carol = await createUserWithToken(t);
      for (let i = 1; i < 100; i++) await t.container.services.auth.createToken(carol.userId, `t${i}`);
      const response = await inject('POST', '/tokens', carol.headers, { name: 'one too many' });
      expect(response.statusCode).toBe(409);
      expect(response.json().error.code).toBe('token_limit_reached');
      expect((await inject('GET', '/tokens?limit=100', carol.headers)).json().data).toHaveLength(100);
    });

    it('a token can revoke itself', async () => {
      const created = (await inject('POST', '/tokens', alice.headers, { name: 'self' })).json();
      const bearer = { authorization: `Bearer ${created.token}` };
      expect((await inject('DELETE', `/tokens/${created.id}`, bearer)).statusCode).toBe(204);
      expect((await inject('GET', '/tokens', bearer)).statusCode).toBe(401);
    });
  });
});
