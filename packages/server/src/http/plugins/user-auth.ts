// Authentication of the user API: an API token (Authorization: Bearer) or the session cookie with
// x-csrf-token on unsafe methods; sets request.user and enforces the rate limit, one budget per user
// (all their tokens and sessions together, so more tokens never mean more requests).
import cookie from '@fastify/cookie';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Container } from '../../container.ts';
import { AppError } from '../../domain/errors.ts';
import type { SessionId, TokenId } from '../../domain/ids.ts';
import type { AuthUser } from '../../services/auth.ts';
import { createRequestLimiter } from '../../services/limiters.ts';
import { bearerToken } from './bearer-token.ts';

export const SESSION_COOKIE = 'klang_session';
/** Carries the CSRF token to the web UI after a reload; readable by scripts of this origin only. */
export const CSRF_COOKIE = 'klang_csrf';
export const CSRF_HEADER = 'x-csrf-token';
const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export type Credential = { kind: 'token'; id: TokenId } | { kind: 'session'; id: SessionId };

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated caller; set on every /api/v1 route except POST /api/v1/session. */
    user: AuthUser;
    /** What authenticated the request. */
    credential: Credential;
  }
  interface FastifyContextConfig {
    /** True on the routes that need no credential (sign-in). */
    public?: boolean;
  }
}

const unauthorized = (message: string) =>
  new AppError('unauthorized', message, undefined, { 'www-authenticate': 'Bearer' });

const isSecure = (container: Container) => container.config.publicUrl?.startsWith('https://') ?? false;

/**
 * Sets the session cookie (HttpOnly, SameSite=Lax, Path=/, Secure when served over https) and the
 * CSRF cookie beside it (SameSite=Strict, readable by the page so it can send x-csrf-token).
 */
export function setSessionCookie(
  reply: FastifyReply,
  container: Container,
  value: string,
  csrfToken: string,
): void {
  const secure = isSecure(container);
  const maxAge = Math.floor(container.config.sessionMaxMs / 1000);
  void reply.setCookie(SESSION_COOKIE, value, { path: '/', httpOnly: true, sameSite: 'lax', secure, maxAge });
  void reply.setCookie(CSRF_COOKIE, csrfToken, { path: '/', sameSite: 'strict', secure, maxAge });
}

export function clearSessionCookie(reply: FastifyReply, container: Container): void {
  const secure = isSecure(container);
  void reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'lax', secure });
  void reply.clearCookie(CSRF_COOKIE, { path: '/', sameSite: 'strict', secure });
}

/** Adds cookie parsing and the authentication hook to `app`; call before registering its routes. */
export async function registerUserAuth(app: FastifyInstance, container: Container): Promise<void> {
  const { auth } = container.services;
  const limiter = createRequestLimiter({ limit: container.config.rateLimitPerMinute, windowMs: 60_000 });
  await app.register(cookie);
  app.decorateRequest('user', null as never);
  app.decorateRequest('credential', null as never);

  app.addHook('onRequest', async (request, reply) => {
    if (request.routeOptions.config.public) return;
    const header = request.headers.authorization;
    if (header !== undefined) {
      const token = bearerToken(header);
      const found = token ? await auth.authenticateToken(token) : undefined;
      if (!found) throw unauthorized('The API token is not valid or has been revoked.');
      request.user = found.user;
      request.credential = { kind: 'token', id: found.tokenId };
    } else {
      const sessionToken = request.cookies[SESSION_COOKIE];
      if (!sessionToken) {
        throw unauthorized('Sign in, or send an API token as Authorization: Bearer <token>.');
      }
      const csrf = request.headers[CSRF_HEADER];
      const session = await auth.authenticateSession(
        sessionToken,
        typeof csrf === 'string' ? csrf : undefined,
      );
      if (!session) {
        clearSessionCookie(reply, container);
        throw unauthorized('The session has ended; sign in again.');
      }
      if (UNSAFE_METHODS.has(request.method) && !session.csrfValid) {
        throw new AppError(
          'csrf_required',
          `Send the ${CSRF_HEADER} header returned at sign-in with every POST, PATCH, PUT and DELETE.`,
        );
      }
      request.user = session.user;
      request.credential = { kind: 'session', id: session.sessionId };
    }
    const waitMs = limiter.hit(request.user.id, container.clock.now());
    if (waitMs > 0) {
      const seconds = Math.max(1, Math.ceil(waitMs / 1000));
      throw new AppError(
        'rate_limited',
        `More than ${container.config.rateLimitPerMinute} requests in a minute; retry in ${seconds} seconds.`,
        undefined,
        { 'retry-after': String(seconds) },
      );
    }
  });
}
