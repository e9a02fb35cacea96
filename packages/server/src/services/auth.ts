// Sign-in (argon2id, throttled as services/sign-in-throttle.ts decides), browser sessions with idle and absolute
// expiry, and API tokens (shown once, stored as SHA-256 hashes). Resolves credentials to a user.
import type { Config } from '../config/load-config.ts';
import type { Repos } from '../db/repos/index.ts';
import { type Clock, systemClock } from '../domain/clock.ts';
import { AppError, invalidCursor, type PageQuery } from '../domain/errors.ts';
import { newId, type SessionId, type TokenId } from '../domain/ids.ts';
import { generateToken, hashToken, safeEqual } from '../domain/secrets.ts';
import type { Plan } from '../domain/webhook-status.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import { createSignInThrottle, type SignInThrottle } from './sign-in-throttle.ts';

export interface AuthUser {
  id: string;
  email: string;
  plan: Plan;
}

export interface SignedIn {
  user: AuthUser;
  sessionId: SessionId;
  /** The cookie value; only its hash is stored. */
  sessionToken: string;
  /** Sent back in `x-csrf-token` on unsafe requests; only its hash is stored. */
  csrfToken: string;
  expiresAt: Date;
}

export interface SessionAuth {
  user: AuthUser;
  sessionId: SessionId;
  /** True when `csrfToken` matches the session's CSRF token. */
  csrfValid: boolean;
}

export interface CreatedToken {
  id: TokenId;
  name: string;
  /** The secret bearer token, returned only here. */
  token: string;
  createdAt: Date;
}

export const TOKENS_PER_USER = 100;
export const SESSION_TOKEN_PREFIX = 'kws_';
export const API_TOKEN_PREFIX = 'kwt_';
const TOKEN_ID_PATTERN = /^tok_[0-9a-z]{26}$/;
/** last_used_at / last_seen_at are written at most this often per credential. */
const TOUCH_INTERVAL_MS = 60_000;

export interface AuthServiceDeps {
  config: Config;
  repos: Repos;
  clock?: Clock;
  /** By default 10 failures per 15 minutes (see sign-in-throttle.ts). */
  throttle?: SignInThrottle;
}

export function createAuthService({ config, repos, clock = systemClock, throttle }: AuthServiceDeps) {
  const { accounts, sessions, tokens } = repos;
  const signInThrottle = throttle ?? createSignInThrottle();
  // Unknown emails are checked against this hash so they cost as much time as a wrong password.
  // Computed once, up front, so the first unknown email is not slower either.
  const decoy = hashPassword(generateToken('decoy_'));
  decoy.catch(() => {});
  const idleTouchMs = Math.min(TOUCH_INTERVAL_MS, Math.floor(config.sessionIdleMs / 20));

  function assertNotThrottled(accountKey: string, addressKey: string, now: number) {
    const waitMs = signInThrottle.retryAfterMs(accountKey, addressKey, now);
    if (waitMs > 0) {
      const seconds = Math.max(1, Math.ceil(waitMs / 1000));
      throw new AppError(
        'rate_limited',
        `Too many failed sign-in attempts; try again in ${seconds} seconds.`,
        undefined,
        { 'retry-after': String(seconds) },
      );
    }
  }

  return {
    /** Checks the password and opens a session; 401 invalid_credentials, 429 rate_limited when throttled. */
    async signIn(email: string, password: string, address: string, now = clock.now()): Promise<SignedIn> {
      const accountKey = email.toLowerCase();
      const addressKey = address || 'unknown';
      assertNotThrottled(accountKey, addressKey, now);
      const user = await accounts.getUserByEmail(accountKey);
      const hash = user?.passwordHash ?? (await decoy);
      const ok = (await verifyPassword(hash, password)) && user?.passwordHash != null;
      if (!user || !ok) {
        signInThrottle.recordFailure(accountKey, addressKey, now);
        throw new AppError('invalid_credentials', 'The email or password is not correct.');
      }
      signInThrottle.recordSuccess(accountKey, addressKey, now);
      await sessions.deleteExpiredForUser(user.id, now, now - config.sessionIdleMs);
      const sessionToken = generateToken(SESSION_TOKEN_PREFIX);
      const csrfToken = generateToken('', 24);
      const sessionId = newId.session();
      const expiresAt = now + config.sessionMaxMs;
      await sessions.insert({
        id: sessionId,
        userId: user.id,
        tokenHash: hashToken(sessionToken),
        csrfHash: hashToken(csrfToken),
        createdAt: now,
        expiresAt,
      });
      return {
        user: { id: user.id, email: user.email, plan: user.plan },
        sessionId,
        sessionToken,
        csrfToken,
        expiresAt: new Date(expiresAt),
      };
    },

    /** The live session of a cookie value, or undefined when unknown, idle too long or past its maximum age. */
    async authenticateSession(
      sessionToken: string,
      csrfToken: string | undefined,
      now = clock.now(),
    ): Promise<SessionAuth | undefined> {
      const session = await sessions.findByHash(hashToken(sessionToken));
      if (!session) return undefined;
      if (now >= session.expiresAt || now - session.lastSeenAt >= config.sessionIdleMs) {
        await sessions.delete(session.id);
        return undefined;
      }
      if (now - session.lastSeenAt >= idleTouchMs) await sessions.touch(session.id, now);
      const csrfValid = csrfToken !== undefined && safeEqual(hashToken(csrfToken), session.csrfHash);
      return { user: session.user, sessionId: session.id, csrfValid };
    },

    /** Ends a session; later requests with its cookie get 401. */
    async signOut(sessionId: SessionId): Promise<void> {
      await sessions.delete(sessionId);
    },

    /** The owner of an API token, or undefined when unknown or revoked. */
    async authenticateToken(
      token: string,
      now = clock.now(),
    ): Promise<{ user: AuthUser; tokenId: TokenId } | undefined> {
      const found = await tokens.findByHash(hashToken(token));
      if (!found) return undefined;
      if (found.lastUsedAt === null || now - found.lastUsedAt >= TOUCH_INTERVAL_MS) {
        await tokens.touch(found.tokenId, now);
      }
      return { user: found.user, tokenId: found.tokenId };
    },

    async createToken(userId: string, name: string, now = clock.now()): Promise<CreatedToken> {
      if ((await tokens.countForUser(userId)) >= TOKENS_PER_USER) {
        throw new AppError(
          'token_limit_reached',
          `A user may hold at most ${TOKENS_PER_USER} API tokens; revoke one first.`,
        );
      }
      const token = generateToken(API_TOKEN_PREFIX);
      const created = await tokens.insert({
        id: newId.token(),
        userId,
        name,
        tokenHash: hashToken(token),
        createdAt: now,
      });
      return { id: created.id, name: created.name, token, createdAt: created.createdAt };
    },

    /** One page of the user's tokens, newest first; `cursor` is the previous page's last id. */
    async listTokens(userId: string, query: PageQuery) {
      if (query.cursor !== undefined && !TOKEN_ID_PATTERN.test(query.cursor)) throw invalidCursor();
      const { items, more } = await tokens.pageForUser(userId, { before: query.cursor, limit: query.limit });
      return { items, nextCursor: more ? (items.at(-1)?.id ?? null) : null };
    },

    /** Revokes the caller's token; 404 token_not_found for any other id. */
    async revokeToken(userId: string, tokenId: string): Promise<void> {
      // An id of another shape names no token (and must never reach the database, e.g. with a NUL).
      if (!TOKEN_ID_PATTERN.test(tokenId) || !(await tokens.deleteForUser(userId, tokenId))) {
        throw new AppError('token_not_found', `No API token ${JSON.stringify(tokenId)}.`);
      }
    },
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
