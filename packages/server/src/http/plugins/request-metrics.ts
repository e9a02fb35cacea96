// Counts and times every answered request by method, route pattern (never the raw URL, so ids do
// not multiply the series) and status.
import type { FastifyInstance } from 'fastify';
import type { Metrics } from '../../metrics.ts';

export function registerRequestMetrics(app: FastifyInstance, metrics: Metrics): void {
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const method = request.method;
    metrics.httpRequests.inc({ method, route, status: String(reply.statusCode) });
    metrics.httpDuration.observe({ method, route }, reply.elapsedTime / 1000);
  });
}
