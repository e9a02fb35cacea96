// Sign in (POST /session: password → session cookie + CSRF token) and sign out (DELETE /session).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Container } from '../../../container.ts';
import { clearSessionCookie, SESSION_COOKIE, setSessionCookie } from '../../plugins/user-auth.ts';
import { SessionIn, SessionOut, writeSecurity } from '../../schemas/auth.ts';
import { errorResponses } from '../../schemas/common.ts';

const tags = ['Session'];

export const sessionRoutes =
  (container: Container): FastifyPluginAsyncZod =>
  async (app) => {
    const { auth } = container.services;

    app.post(
      '/session',
      {
        config: { public: true, noStore: true },
        schema: {
          operationId: 'createSession',
          tags,
          summary: 'Sign in with email and password',
          description:
            'Sets the `klang_session` cookie (HttpOnly, SameSite=Lax) and returns the CSRF token that ' +
            'cookie-authenticated POST, PATCH, PUT and DELETE requests must send as `x-csrf-token`; the same ' +
            'token is also set in the `klang_csrf` cookie (not HttpOnly, SameSite=Strict) so a page can read it after a reload. ' +
            'Ten failed attempts within 15 minutes for one account from one address answer 429 with `Retry-After`; ten for an account, or from an address, do so only for clients without a recent successful sign-in of that account from that address.',
          security: [],
          body: SessionIn,
          response: { 200: SessionOut, ...errorResponses(400, 401, 413, 415, 422, 429) },
        },
      },
      async (request, reply) => {
        const { email, password } = request.body;
        const signedIn = await auth.signIn(email, password, request.ip);
        // A new sign-in from the same browser ends the session it replaces.
        const previous = request.cookies[SESSION_COOKIE];
        if (previous) {
          const old = await auth.authenticateSession(previous, undefined);
          if (old) await auth.signOut(old.sessionId);
        }
        setSessionCookie(reply, container, signedIn.sessionToken, signedIn.csrfToken);
        return { user: signedIn.user, csrf_token: signedIn.csrfToken };
      },
    );

    app.delete(
      '/session',
      {
        schema: {
          operationId: 'deleteSession',
          tags,
          summary: 'Sign out',
          description:
            'Ends the session of the cookie and clears it. With an API token it only clears the cookie.',
          security: writeSecurity,
          response: { 204: z.null().describe('Signed out'), ...errorResponses(401, 403, 429) },
        },
      },
      async (request, reply) => {
        if (request.credential.kind === 'session') await auth.signOut(request.credential.id);
        clearSessionCookie(reply, container);
        return reply.status(204).send(null);
      },
    );
  };
