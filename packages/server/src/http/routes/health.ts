// Liveness and readiness probes: /healthz answers while the process runs; /readyz is 200 or 503 with
// the failing check and a reason code (database_unreachable, migrations_pending, worker_not_running,
// no_live_worker) — see services/readiness.ts for what each role requires.
import type { FastifyPluginAsync } from 'fastify';
import type { Container } from '../../container.ts';
import { checkReadiness } from '../../services/readiness.ts';

export const healthRoutes =
  (container: Container): FastifyPluginAsync =>
  async (app) => {
    app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));

    app.get('/readyz', { schema: { hide: true } }, async (_request, reply) => {
      const { database, repos, config, workerId } = container;
      const result = await checkReadiness({ database, repos, role: config.role, workerId });
      if (!result.ready) container.logger.debug({ reason: result.reason }, 'not ready');
      return reply.status(result.ready ? 200 : 503).send({
        status: result.ready ? 'ready' : 'not_ready',
        checks: result.checks,
        ...(result.reason ? { reason: result.reason, message: result.message } : {}),
        ...(result.pendingMigrations ? { pending_migrations: result.pendingMigrations } : {}),
        worker_heartbeat_age_ms: result.heartbeatAgeMs,
        ...(result.dueDeliveries !== undefined ? { deliveries_due: result.dueDeliveries } : {}),
      });
    });
  };
