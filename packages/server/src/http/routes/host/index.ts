// The host API under /internal/v1, behind the ingest token; while the database cannot take requests
// (down, restarting, disk full, read-only) it answers 503 service_unavailable with Retry-After.
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Container } from '../../../container.ts';
import { isDatabaseUnavailable } from '../../../db/unavailable.ts';
import { AppError } from '../../../domain/errors.ts';
import { safeEqual } from '../../../domain/secrets.ts';
import { bearerToken } from '../../plugins/bearer-token.ts';
import { hostAccountRoutes } from './accounts.ts';
import { hostEventBatchRoutes } from './event-batch.ts';
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
    // Anything else goes on to the app's error handler.
    app.setErrorHandler((error) => {
      if (!isDatabaseUnavailable(error)) throw error;
      container.logger.warn({ err: error }, 'database unavailable; answering 503');
      throw new AppError(
        'service_unavailable',
        'The service cannot store events right now; nothing was stored. Retry later with the same idempotency-key.',
        undefined,
        { 'retry-after': '5' },
      );
    });
    const typed = app.withTypeProvider<ZodTypeProvider>();
    await typed.register(hostAccountRoutes(container));
    await typed.register(hostEventRoutes(container));
    await typed.register(hostEventBatchRoutes(container));
  };
