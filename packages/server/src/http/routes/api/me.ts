// GET /me: who the credential belongs to.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Container } from '../../../container.ts';
import { MeOut, readSecurity } from '../../schemas/auth.ts';
import { errorResponses } from '../../schemas/common.ts';

export const meRoutes =
  (_container: Container): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/me',
      {
        schema: {
          operationId: 'getMe',
          tags: ['Session'],
          summary: 'The signed-in user',
          security: readSecurity,
          response: { 200: MeOut, ...errorResponses(401, 429) },
        },
      },
      async (request) => ({ id: request.user.id, email: request.user.email, plan: request.user.plan }),
    );
  };
