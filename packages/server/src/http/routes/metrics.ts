// GET /metrics in the Prometheus text format; behind a bearer token when KLANG_METRICS_TOKEN is set.
// The queue, webhook and live-worker gauges are read from the database at each scrape.
import type { FastifyPluginAsync } from 'fastify';
import type { Container } from '../../container.ts';
import { AppError } from '../../domain/errors.ts';
import { safeEqual } from '../../domain/secrets.ts';
import { HEARTBEAT_STALE_MS } from '../../services/readiness.ts';
import { bearerToken } from '../plugins/bearer-token.ts';

const WEBHOOK_STATUSES = ['active', 'paused', 'auto_paused'];

async function refreshGauges({ metrics, repos }: Container): Promise<void> {
  const now = Date.now();
  const [{ due, scheduled }, oldestDue, webhooks, liveWorkers] = await Promise.all([
    repos.queueStats.pendingCounts(now),
    repos.queueStats.oldestDue(now),
    repos.queueStats.webhooksByStatus(),
    repos.queueStats.liveWorkers(now - HEARTBEAT_STALE_MS),
  ]);
  metrics.queueDepth.set({ state: 'due' }, due);
  metrics.queueDepth.set({ state: 'scheduled' }, scheduled);
  metrics.queueOldestDueAge.set(oldestDue === undefined ? 0 : (now - oldestDue) / 1000);
  for (const status of WEBHOOK_STATUSES) metrics.webhooks.set({ status }, webhooks[status] ?? 0);
  metrics.liveWorkers.set(liveWorkers);
}

export const metricsRoutes =
  (container: Container): FastifyPluginAsync =>
  async (app) => {
    const { config, metrics } = container;
    app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
      if (config.metricsToken) {
        const token = bearerToken(request.headers.authorization);
        if (!token || !safeEqual(token, config.metricsToken)) {
          throw new AppError('unauthorized', 'Send the metrics token as Authorization: Bearer <token>.');
        }
      }
      // Without the database the process metrics are still worth a scrape; the gauges keep their last values.
      await refreshGauges(container).catch((err) =>
        container.logger.warn({ err }, 'metrics: queue gauges not refreshed'),
      );
      return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
    });
  };
