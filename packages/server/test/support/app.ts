// A full app over a fresh test database, for inject() tests. Config comes from an env map.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { type Container, createContainer } from '../../src/container.ts';
import type { Clock } from '../../src/domain/clock.ts';
import { createLogger } from '../../src/logger.ts';
import { type DatabaseKind, openTestDatabase, type TestDatabase } from './databases.ts';

export const INGEST_TOKEN = 'test-ingest-token-0123456789';

export interface TestApp {
  app: FastifyInstance;
  container: Container;
  database: TestDatabase;
  /** Authorization header for the host API. */
  hostAuth: { authorization: string };
  dispose(): Promise<void>;
}

export async function createTestApp(
  kind: DatabaseKind,
  env: Record<string, string> = {},
  options: { clock?: Clock } = {},
): Promise<TestApp> {
  const database = await openTestDatabase(kind);
  const config = loadConfig({ KLANG_LOG_LEVEL: 'silent', KLANG_ALLOW_PRIVATE_TARGETS: 'true', ...env });
  const container = await createContainer({
    config,
    logger: createLogger(config.logLevel),
    secretKey: randomBytes(32),
    ingestToken: INGEST_TOKEN,
    database,
    migrate: false,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const app = await buildApp(container);
  await app.ready();
  return {
    app,
    container,
    database,
    hostAuth: { authorization: `Bearer ${INGEST_TOKEN}` },
    async dispose() {
      await app.close();
      await container.close();
      await database.dispose();
    },
  };
}
