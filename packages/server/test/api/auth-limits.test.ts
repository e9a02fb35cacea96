// Session expiry (idle and absolute), sign-in throttling, the per-credential rate limit and the
// Secure cookie flag, each on an app configured with small limits.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { hashToken } from '../../src/domain/secrets.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { manualClock } from '../support/clock.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { createUserWithToken, sessionHeaders, signIn, type TestSession } from '../support/users.ts';
import { apiAs, createWebhook } from '../support/webhook-api.ts';

const me = (t: TestApp, headers: Record<string, string>) =>
  t.app.inject({ method: 'GET', url: '/api/v1/me', headers });

const sessionRow = async (t: TestApp, session: TestSession) => {
  const rows = await t.database.db.selectFrom('sessions').selectAll().execute();
  return rows.find((r) => r.token_hash === hashToken(session.cookie.split('=')[1]!));
};

// The container's clock is moved by hand: expiry is tested to the millisecond without waiting.
describeEachDatabase('session expiry on %s', (kind) => {
  let t: TestApp;
  const clock = manualClock();
  beforeAll(async () => {
    t = await createTestApp(kind, { KLANG_SESSION_IDLE: '1s', KLANG_SESSION_MAX: '5s' }, { clock });
  });
  afterAll(() => t?.dispose());

  it('records the absolute expiry of KLANG_SESSION_MAX at sign-in; activity does not extend it', async () => {
    const user = await createUserWithToken(t);
    const session = await signIn(t, user.email, user.password);
    const row = (await sessionRow(t, session))!;
    expect(Number(row.created_at)).toBe(clock.now());
    expect(Number(row.expires_at) - Number(row.created_at)).toBe(5_000);
    expect(String((await signInRaw(t, user)).headers['set-cookie'])).toContain('Max-Age=5;');
    clock.advance(500);
    expect((await me(t, { cookie: session.cookie })).statusCode).toBe(200);
    expect(Number((await sessionRow(t, session))!.expires_at)).toBe(Number(row.expires_at));
  });

  it('ends a session idle for KLANG_SESSION_IDLE; requests keep it alive', async () => {
    const user = await createUserWithToken(t);
    const session = await signIn(t, user.email, user.password);
    // A request every 250 ms keeps it alive beyond the 1 s idle limit…
    for (let elapsed = 0; elapsed <= 1_500; elapsed += 250) {
      expect((await me(t, { cookie: session.cookie })).statusCode).toBe(200);
      clock.advance(250);
    }
    // …999 ms without one do not end it, 1 s does.
    clock.advance(749);
    expect((await me(t, { cookie: session.cookie })).statusCode).toBe(200);
    clock.advance(1_000);
    const response = await me(t, { cookie: session.cookie });
    expect(response.statusCode).toBe(401);
    expect(response.json().error.code).toBe('unauthorized');
    expect(String(response.headers['set-cookie'])).toMatch(/^klang_session=;/);
    expect(await sessionRow(t, session)).toBeUndefined();
  });

  it('ends a session idle for longer than the limit (row state), but not one just under it', async () => {
    const user = await createUserWithToken(t);
    const fresh = await signIn(t, user.email, user.password);
    const stale = await signIn(t, user.email, user.password);
    const now = clock.now();
    const setSeen = (s: TestSession, at: number) =>
      sessionRow(t, s).then((row) =>
        t.database.db.updateTable('sessions').set({ last_seen_at: at }).where('id', '=', row!.id).execute(),
      );
    await setSeen(fresh, now - 999);
    await setSeen(stale, now - 1_000);
    expect((await me(t, { cookie: fresh.cookie })).statusCode).toBe(200);
    const response = await me(t, { cookie: stale.cookie });
    expect(response.statusCode).toBe(401);
    expect(response.json().error.code).toBe('unauthorized');
  });

  it('ends an active session at its absolute expiry, to the millisecond', async () => {
    const user = await createUserWithToken(t);
    const session = await signIn(t, user.email, user.password);
    // Used every 200 ms, so never idle; the 5 s maximum still ends it.
    for (let elapsed = 0; elapsed < 5_000; elapsed += 200) {
      expect((await me(t, { cookie: session.cookie })).statusCode, `at ${elapsed} ms`).toBe(200);
      clock.advance(200);
    }
    expect((await me(t, { cookie: session.cookie })).statusCode).toBe(401);
    expect(await sessionRow(t, session)).toBeUndefined();
  });
});

const signInRaw = (t: TestApp, user: { email: string; password: string }, remoteAddress = '127.0.0.1') =>
  t.app.inject({
    method: 'POST',
    url: '/api/v1/session',
    payload: { email: user.email, password: user.password },
    remoteAddress,
  });

describeEachDatabase('sign-in throttling on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind);
  });
  afterAll(() => t?.dispose());

  const expectThrottled = (response: Awaited<ReturnType<typeof signInRaw>>) => {
    expect(response.statusCode).toBe(429);
    expect(response.json().error.code).toBe('rate_limited');
    const retryAfter = Number(response.headers['retry-after']);
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);
    expect(response.headers['set-cookie']).toBeUndefined();
  };

  const fail = (email: string, address: string) =>
    signInRaw(t, { email, password: 'wrong-password' }, address);

  it('locks an account for unknown clients after 10 failures from any addresses; its known-good client still gets in', async () => {
    const alice = await createUserWithToken(t);
    const bob = await createUserWithToken(t);
    // Alice's usual address becomes known-good by signing in from it.
    expect((await signInRaw(t, alice, '10.0.0.100')).statusCode).toBe(200);
    for (let i = 1; i <= 10; i++) {
      const response = await fail(alice.email, `10.0.0.${i}`);
      expect(response.statusCode).toBe(401);
      expect(response.json().error.code).toBe('invalid_credentials');
    }
    expectThrottled(await signInRaw(t, alice, '10.0.1.1'));
    expectThrottled(await signInRaw(t, { email: alice.email.toUpperCase(), password: 'x' }, '10.0.1.2'));
    // From her known-good address the right password still opens a session.
    expect((await signInRaw(t, alice, '10.0.0.100')).statusCode).toBe(200);
    // The addresses themselves are not locked, and the account's API tokens still work.
    expect((await signInRaw(t, bob, '10.0.1.1')).statusCode).toBe(200);
    expect((await me(t, alice.headers)).statusCode).toBe(200);
  });

  it('10 failures for other emails from one address do not lock out the known-good users behind it', async () => {
    const carol = await createUserWithToken(t);
    const erin = await createUserWithToken(t);
    expect((await signInRaw(t, carol, '10.0.2.1')).statusCode).toBe(200);
    for (let i = 1; i <= 10; i++) {
      const response = await fail(`nobody${i}@example.com`, '10.0.2.1');
      expect(response.statusCode).toBe(401);
      expect(response.json().error.code).toBe('invalid_credentials');
    }
    // Carol has signed in from this address before: her correct password still gets in…
    expect((await signInRaw(t, carol, '10.0.2.1')).statusCode).toBe(200);
    // …while accounts never seen from it wait, and the address guesses no further.
    expectThrottled(await signInRaw(t, erin, '10.0.2.1'));
    expectThrottled(await fail('nobody11@example.com', '10.0.2.1'));
    expect((await signInRaw(t, erin, '10.0.2.2')).statusCode).toBe(200);
  });

  it('locks one account from one address after 10 failures there, even a known-good one', async () => {
    const frank = await createUserWithToken(t);
    expect((await signInRaw(t, frank, '10.0.5.1')).statusCode).toBe(200);
    for (let i = 1; i <= 10; i++) expect((await fail(frank.email, '10.0.5.1')).statusCode).toBe(401);
    expectThrottled(await signInRaw(t, frank, '10.0.5.1'));
  });

  it('a successful sign-in resets the account count', async () => {
    const dave = await createUserWithToken(t);
    const failFrom = (i: number) => fail(dave.email, `10.0.3.${i}`);
    for (let i = 1; i <= 9; i++) expect((await failFrom(i)).statusCode).toBe(401);
    expect((await signInRaw(t, dave, '10.0.3.100')).statusCode).toBe(200);
    for (let i = 11; i <= 19; i++) expect((await failFrom(i)).statusCode).toBe(401);
    expect((await signInRaw(t, dave, '10.0.3.101')).statusCode).toBe(200);
  });

  it('ignores X-Forwarded-For unless KLANG_TRUST_PROXY is set', async () => {
    const grace = await createUserWithToken(t);
    for (let i = 1; i <= 10; i++) {
      const response = await t.app.inject({
        method: 'POST',
        url: '/api/v1/session',
        payload: { email: `nobody${i}@example.com`, password: 'x' },
        remoteAddress: '10.0.6.1',
        headers: { 'x-forwarded-for': `192.0.2.${i}` },
      });
      expect(response.statusCode).toBe(401);
    }
    // All ten counted against the peer address, whatever the header claimed.
    expectThrottled(await signInRaw(t, grace, '10.0.6.1'));
  });
});

describeEachDatabase('sign-in behind a proxy (KLANG_TRUST_PROXY) on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind, { KLANG_TRUST_PROXY: 'true' });
  });
  afterAll(() => t?.dispose());

  const viaProxy = (payload: { email: string; password: string }, forwardedFor: string) =>
    t.app.inject({
      method: 'POST',
      url: '/api/v1/session',
      payload: { email: payload.email, password: payload.password },
      remoteAddress: '10.9.9.9',
      headers: { 'x-forwarded-for': forwardedFor },
    });

  it('counts failures per client address from X-Forwarded-For, not per proxy', async () => {
    const heidi = await createUserWithToken(t);
    for (let i = 1; i <= 10; i++) {
      expect(
        (await viaProxy({ email: `nobody${i}@example.com`, password: 'x' }, '198.51.100.7')).statusCode,
      ).toBe(401);
    }
    expect((await viaProxy(heidi, '198.51.100.7')).statusCode).toBe(429);
    // Another client behind the same proxy is not affected.
    expect((await viaProxy(heidi, '198.51.100.8')).statusCode).toBe(200);
  });

  it('takes the address the proxy added (the last one), not one the client sent before it', async () => {
    const ivan = await createUserWithToken(t);
    for (let i = 1; i <= 10; i++) {
      const spoofed = `203.0.113.${i}, 198.51.100.20`;
      expect((await viaProxy({ email: `nobody${i}@example.com`, password: 'x' }, spoofed)).statusCode).toBe(
        401,
      );
    }
    expect((await viaProxy(ivan, '198.51.100.20')).statusCode).toBe(429);
  });
});

describeEachDatabase('per-user rate limit on %s', (kind) => {
  const LIMIT = 5;
  let t: TestApp;
  // The window never turns over during a test unless the test moves the clock.
  const clock = manualClock();
  beforeAll(async () => {
    t = await createTestApp(kind, { KLANG_RATE_LIMIT: String(LIMIT) }, { clock });
  });
  afterAll(() => t?.dispose());

  const expectLimited = (response: Awaited<ReturnType<typeof me>>, retryAfter: number) => {
    expect(response.statusCode).toBe(429);
    expect(response.json().error.code).toBe('rate_limited');
    expect(Number(response.headers['retry-after'])).toBe(retryAfter);
  };

  it('answers 429 rate_limited with Retry-After after KLANG_RATE_LIMIT requests in a minute', async () => {
    const alice = await createUserWithToken(t);
    const bob = await createUserWithToken(t);
    clock.advance(60_000 - (clock.now() % 60_000) + 20_000);
    for (let i = 0; i < LIMIT; i++) expect((await me(t, alice.headers)).statusCode).toBe(200);
    expectLimited(await me(t, alice.headers), 40);
    // Another user is counted on their own.
    expect((await me(t, bob.headers)).statusCode).toBe(200);
    // The next minute starts over.
    clock.advance(40_000);
    expect((await me(t, alice.headers)).statusCode).toBe(200);
  });

  it('counts every token and session of one user in one budget; signing in is not counted', async () => {
    const carol = await createUserWithToken(t);
    clock.advance(60_000 - (clock.now() % 60_000));
    const second = await t.container.services.auth.createToken(carol.userId, 'second');
    const session = await signIn(t, carol.email, carol.password);
    const credentials = [
      carol.headers,
      { authorization: `Bearer ${second.token}` },
      { cookie: session.cookie },
    ];
    for (let i = 0; i < LIMIT; i++) expect((await me(t, credentials[i % 3]!)).statusCode).toBe(200);
    for (const headers of credentials) expectLimited(await me(t, headers), 60);
    const third = await t.container.services.auth.createToken(carol.userId, 'third');
    expectLimited(await me(t, { authorization: `Bearer ${third.token}` }), 60);
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: sessionHeaders(session),
      payload: { name: 'x' },
    });
    expectLimited(created, 60);
  });

  it('counts test events too', async () => {
    const dave = await createUserWithToken(t);
    clock.advance(60_000 - (clock.now() % 60_000));
    const webhook = await createWebhook(apiAs(t, dave.headers), ['conversation.ready']);
    const other = await t.container.services.auth.createToken(dave.userId, 'other');
    const otherApi = apiAs(t, { authorization: `Bearer ${other.token}` });
    for (let i = 1; i < LIMIT; i++)
      expect((await otherApi.post(`/webhooks/${webhook.id}/test`)).statusCode).toBe(202);
    expectLimited(await otherApi.post(`/webhooks/${webhook.id}/test`), 60);
    expectLimited(await me(t, dave.headers), 60);
  });
});

describeEachDatabase('cookie over https on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind, { KLANG_PUBLIC_URL: 'https://hooks.example.com' });
  });
  afterAll(() => t?.dispose());

  it('marks the session cookie Secure when KLANG_PUBLIC_URL is https, also when clearing it', async () => {
    const user = await createUserWithToken(t);
    const response = await signInRaw(t, user);
    expect(response.statusCode).toBe(200);
    const header = String(response.headers['set-cookie']);
    expect(header).toMatch(/; Secure/);
    expect(header).toContain('HttpOnly');
    expect(header).toContain('SameSite=Lax');
    const cookie = `klang_session=${response.cookies[0]!.value}`;
    const out = await t.app.inject({
      method: 'DELETE',
      url: '/api/v1/session',
      headers: { cookie, 'x-csrf-token': response.json().csrf_token },
    });
    expect(out.statusCode).toBe(204);
    expect(String(out.headers['set-cookie'])).toMatch(/^klang_session=;.*; Secure/);
  });
});
