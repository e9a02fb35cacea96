// The host API under /internal/v1, behind the ingest token.
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Container } from '../../../container.ts';
import { AppError } from '../../../domain/errors.ts';
import { safeEqual } from '../../../domain/secrets.ts';
import { bearerToken } from '../../plugins/bearer-token.ts';
import { hostAccountRoutes } from './accounts.ts';
import { hostEventRoutes } from './events.ts';

export const hostRoutes =
  (container: Container): FastifyPluginAsync =>
  async (app) => {
    app.addHook('onRequest', async (request) => {
      const token = bearerToken(request.headers.authorization);
      if (!token || !safeEqual(token, container.ingestToken)) {
        throw new AppError('unauthorized', 'Send the ingest token as Authorization: Bearer <token>.');
      }
    });
    const typed = app.withTypeProvider<ZodTypeProvider>();
    await typed.register(hostAccountRoutes(container));
    await typed.register(hostEventRoutes(container));
  };
