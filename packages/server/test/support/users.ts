// Users for user-API tests: created through the host API, with an API token or a signed-in session.
import { newId } from '../../src/domain/ids.ts';
import type { TestApp } from './app.ts';

export type TestPlan = 'free' | 'pro' | 'team';

export interface TestUser {
  userId: string;
  email: string;
  password: string;
  /** `Authorization: Bearer <API token>` for inject(). */
  headers: { authorization: string };
}

/** Creates a user (PUT /internal/v1/users/{id} with a password) and an API token for them. */
export async function createUserWithToken(t: TestApp, plan: TestPlan = 'pro'): Promise<TestUser> {
  const userId = newId.user();
  const email = `${userId}@example.com`;
  const password = `pw-${userId}`;
  const response = await t.app.inject({
    method: 'PUT',
    url: `/internal/v1/users/${userId}`,
    headers: t.hostAuth,
    payload: { email, plan, password },
  });
  if (response.statusCode !== 200) {
    throw new Error(`creating ${userId} failed: ${response.statusCode} ${response.body}`);
  }
  const { token } = await t.container.services.auth.createToken(userId, 'test token');
  return { userId, email, password, headers: { authorization: `Bearer ${token}` } };
}

export interface TestSession {
  /** The `cookie` request header value, e.g. `klang_session=kws_…`. */
  cookie: string;
  /** The `x-csrf-token` value returned at sign-in. */
  csrf: string;
}

/** Signs in through POST /api/v1/session; throws unless it answers 200 with a session cookie. */
export async function signIn(
  t: TestApp,
  email: string,
  password: string,
  remoteAddress?: string,
): Promise<TestSession> {
  const response = await t.app.inject({
    method: 'POST',
    url: '/api/v1/session',
    payload: { email, password },
    ...(remoteAddress ? { remoteAddress } : {}),
  });
  const cookie = response.cookies.find((c) => c.name === 'klang_session');
  if (response.statusCode !== 200 || !cookie) {
    throw new Error(`sign-in failed: ${response.statusCode} ${response.body}`);
  }
  return { cookie: `klang_session=${cookie.value}`, csrf: response.json().csrf_token };
}

/** Headers of a cookie-authenticated request; pass `csrf: false` to leave out x-csrf-token. */
export const sessionHeaders = (session: TestSession, options: { csrf?: boolean } = {}) => ({
  cookie: session.cookie,
  ...(options.csrf === false ? {} : { 'x-csrf-token': session.csrf }),
});
