// GET /metrics in the Prometheus text format; behind a bearer token when KLANG_METRICS_TOKEN is set.
import type { FastifyPluginAsync } from 'fastify';
import type { Container } from '../../container.ts';
import { AppError } from '../../domain/errors.ts';
import { safeEqual } from '../../domain/secrets.ts';
import { bearerToken } from '../plugins/bearer-token.ts';

export const metricsRoutes =
  ({ config, metrics, repos }: Container): FastifyPluginAsync =>
  async (app) => {
    app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
      if (config.metricsToken) {
        const token = bearerToken(request.headers.authorization);
        if (!token || !safeEqual(token, config.metricsToken)) {
          throw new AppError('unauthorized', 'Send the metrics token as Authorization: Bearer <token>.');
        }
      }
      const { due, scheduled } = await repos.queueStats.pendingCounts();
      metrics.queueDepth.set({ state: 'due' }, due);
      metrics.queueDepth.set({ state: 'scheduled' }, scheduled);
      return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
    });
  };
