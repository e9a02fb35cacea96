// The use cases shared by the API, the CLI and the engine.
import type { Config } from '../config/load-config.ts';
import type { QueueSignal } from '../db/queue-signal.ts';
import type { Repos } from '../db/repos/index.ts';
import type { Clock } from '../domain/clock.ts';
import type { SecretBox } from '../domain/secrets.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import { createAccountsService } from './accounts.ts';
import { createAuthService } from './auth.ts';
import { createDeliveryLogService } from './delivery-log.ts';
import { createIngestService } from './ingest.ts';
import { createListenSessionsService } from './listen-sessions.ts';
import { createTestEventsService } from './test-events.ts';
import { createWebhooksService } from './webhooks.ts';

export interface ServiceDeps {
  config: Config;
  logger: Logger;
  repos: Repos;
  secretBox: SecretBox;
  queueSignal: QueueSignal;
  metrics: Metrics;
  clock: Clock;
}

export function createServices(deps: ServiceDeps) {
  return {
    accounts: createAccountsService(deps),
    auth: createAuthService(deps),
    ingest: createIngestService(deps),
    webhooks: createWebhooksService(deps),
    testEvents: createTestEventsService(deps),
    deliveryLog: createDeliveryLogService(deps),
    listenSessions: createListenSessionsService(deps),
  };
}

export type Services = ReturnType<typeof createServices>;
