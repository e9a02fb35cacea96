// Liveness and readiness probes.
import type { FastifyPluginAsync } from 'fastify';
import type { Container } from '../../container.ts';
import { isMigrated } from '../../db/migrate.ts';

export const healthRoutes =
  (container: Container): FastifyPluginAsync =>
  async (app) => {
    app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));

    app.get('/readyz', { schema: { hide: true } }, async (_request, reply) => {
      const checks: Record<string, boolean> = {};
      try {
        checks.database = true;
        checks.migrations = await isMigrated(container.database.db);
      } catch {
        checks.database = false;
        checks.migrations = false;
      }
      const ready = Object.values(checks).every(Boolean);
      return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', checks });
    });
  };
