// Wires config, database, repositories, services and the queue signal into one object with close().
// Only this module and main.ts know every layer.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Config } from './config/load-config.ts';
import { APPLICATION_NAME, connectDatabase, type DatabaseHandle } from './db/connect.ts';
import { migrateToLatest } from './db/migrate.ts';
import { createQueueSignal } from './db/pg-queue-signal.ts';
import { databasePoolSize } from './db/pool-size.ts';
import type { QueueSignal } from './db/queue-signal.ts';
import { createRepos, type Repos } from './db/repos/index.ts';
import { type Clock, systemClock } from './domain/clock.ts';
import { createSecretBox, type SecretBox } from './domain/secrets.ts';
import type { Logger } from './logger.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { createServices, type Services } from './services/index.ts';

export interface Container {
  config: Config;
  logger: Logger;
  database: DatabaseHandle;
  secretBox: SecretBox;
  ingestToken: string;
  queueSignal: QueueSignal;
  repos: Repos;
  services: Services;
  metrics: Metrics;
  /** The time of sessions, sign-in throttling and rate limits. */
  clock: Clock;
  /** The id this process's delivery worker runs under (readiness checks its heartbeat). */
  workerId: string;
  close(): Promise<void>;
}

export interface ContainerOptions {
  config: Config;
  logger: Logger;
  /** Resolved 32-byte key (from config or the data dir). */
  secretKey: Buffer;
  /** Resolved host API token (from config or the data dir). */
  ingestToken: string;
  /** Use an already open database (tests); otherwise connect to config.databaseUrl. */
  database?: DatabaseHandle;
  migrate?: boolean;
  /** Tests pass a clock they move by hand; default the system clock. */
  clock?: Clock;
  /** A long-running service (not a one-off command): SQLite checkpoints in the background. */
  serving?: boolean;
}

export async function createContainer(options: ContainerOptions): Promise<Container> {
  const { config, logger } = options;
  const database =
    options.database ??
    connectDatabase(config.databaseUrl, {
      poolSize: databasePoolSize(config),
      applicationName: `${APPLICATION_NAME} ${config.role}`,
      backgroundCheckpoint: options.serving === true,
      onProblem: (message) => logger.warn(message),
    });
  if (options.migrate !== false) await migrateToLatest(database.db);
  const secretBox = createSecretBox(options.secretKey);
  const queueSignal = createQueueSignal(database, {
    onError: (err) => logger.warn({ err }, 'queue wake-up channel problem'),
  });
  const repos = createRepos(database);
  const metrics = createMetrics();
  const clock = options.clock ?? systemClock;
  const services = createServices({ config, logger, repos, secretBox, queueSignal, metrics, clock });
  return {
    config,
    logger,
    database,
    secretBox,
    ingestToken: options.ingestToken,
    queueSignal,
    repos,
    services,
    metrics,
    clock,
    workerId: `wrk_${hostname()}_${process.pid}_${randomBytes(4).toString('hex')}`,
    async close() {
      await queueSignal.close();
      if (!options.database) await database.close();
    },
  };
}
