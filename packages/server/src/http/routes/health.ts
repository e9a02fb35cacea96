// Liveness and readiness probes. Ready = database reachable, migrations applied and, when this
// process runs the delivery worker, a recent heartbeat of that worker (not of any other process's).
import type { FastifyPluginAsync } from 'fastify';
import type { Container } from '../../container.ts';
import { isMigrated } from '../../db/migrate.ts';

/** A heartbeat older than this means the worker is stuck or gone. */
const HEARTBEAT_STALE_MS = 60_000;

export const healthRoutes =
  (container: Container): FastifyPluginAsync =>
  async (app) => {
    app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));

    app.get('/readyz', { schema: { hide: true } }, async (_request, reply) => {
      const checks: Record<string, boolean> = { database: false, migrations: false };
      let heartbeatAgeMs: number | null = null;
      try {
        checks.migrations = await isMigrated(container.database.db);
        checks.database = true;
        // In role all the worker that matters is this process's own; otherwise report the latest of any.
        const heartbeat =
          container.config.role === 'all'
            ? await container.repos.workers.heartbeatOf(container.workerId)
            : await container.repos.queueStats.latestHeartbeat();
        heartbeatAgeMs = heartbeat === undefined ? null : Math.max(0, Date.now() - heartbeat);
      } catch (error) {
        container.logger.warn({ err: error }, 'readiness check failed');
      }
      if (container.config.role === 'all') {
        checks.worker = heartbeatAgeMs !== null && heartbeatAgeMs < HEARTBEAT_STALE_MS;
      }
      const ready = Object.values(checks).every(Boolean);
      return reply
        .status(ready ? 200 : 503)
        .send({ status: ready ? 'ready' : 'not_ready', checks, worker_heartbeat_age_ms: heartbeatAgeMs });
    });
  };
