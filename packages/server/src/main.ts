// Starts the service: load config → open db → migrate → start roles (api, worker) → handle signals
// with a graceful drain.
import { join } from 'node:path';
import { startActivitySummary } from './activity-summary.ts';
import { buildApp, buildOpsApp } from './app.ts';
import { demoCredentials, isEmbedded, resolveSecrets, type Secrets } from './bootstrap.ts';
import type { Config } from './config/schema.ts';
import { type Container, createContainer } from './container.ts';
import { startEngine } from './engine/index.ts';
import { closeGracefully } from './http/close-gracefully.ts';
import { createLogger } from './logger.ts';
import { DEMO_USER_ID, seedDemo } from './services/demo.ts';

export type Role = 'all' | 'api' | 'worker';

export interface Running {
  url?: string;
  stop(): Promise<void>;
}

/** Opens everything for a command (CLI or server): secrets, container, migrations. */
export async function openContainer(
  config: Config,
  secrets = resolveSecrets(config),
  serving = false,
): Promise<Container> {
  const logger = createLogger(config.logLevel, config.logFormat);
  return createContainer({
    config,
    logger,
    secretKey: secrets.secretKey,
    ingestToken: secrets.ingestToken,
    serving,
  });
}

async function prepareDemo(container: Container): Promise<string[]> {
  const { config, repos, services } = container;
  if (!isEmbedded(config) || !config.demo) return [];
  const { credentials, created } = demoCredentials(config);
  if (created || !(await repos.accounts.getUser(DEMO_USER_ID))) {
    if (created && (await repos.accounts.countUsers()) > 0) return [];
    await seedDemo(services.accounts, credentials);
  }
  return [`Sign in:      ${credentials.email} / ${credentials.password}`];
}

/** The token itself only at the start that generated it; afterwards where it is kept. */
function ingestTokenLine(config: Config, secrets: Secrets): string {
  if (secrets.ingestTokenSource === 'generated') {
    return `Ingest token: ${secrets.ingestToken}  (host API: Authorization: Bearer <token>; shown once, kept in ${join(config.dataDir, 'ingest.token')})`;
  }
  if (secrets.ingestTokenSource === 'file') {
    return `Ingest token: kept in ${join(config.dataDir, 'ingest.token')}`;
  }
  return 'Ingest token: from KLANG_INGEST_TOKEN';
}

export async function serve(baseConfig: Config, role: Role = baseConfig.role): Promise<Running> {
  const config: Config = Object.freeze({ ...baseConfig, role });
  const secrets = resolveSecrets(config);
  const container = await openContainer(config, secrets, true);
  const lines: string[] = [];
  const stops: (() => Promise<void>)[] = [];
  let url: string | undefined;

  if (role === 'all' || role === 'api') {
    const app = await buildApp(container);
    const address = await app.listen({ host: config.host, port: config.port });
    url = config.publicUrl ?? address.replace('0.0.0.0', '127.0.0.1');
    lines.push(`Klang Webhooks is running at ${url} (role ${role})`);
    lines.push(...(await prepareDemo(container)));
    if (isEmbedded(config)) {
      lines.push(ingestTokenLine(config, secrets));
      lines.push(`Data dir:     ${config.dataDir}`);
    }
    stops.push(() => closeGracefully(app, config.shutdownTimeoutMs));
  } else {
    lines.push(`Klang Webhooks ${role} started`);
  }
  if (role === 'all' || role === 'worker') {
    const engine = await startEngine(container, { workerId: container.workerId });
    stops.push(() => engine.stop());
  }
  if (config.metricsPort !== undefined) {
    const ops = await buildOpsApp(container);
    const address = await ops.listen({ host: config.host, port: config.metricsPort });
    lines.push(
      `Health and metrics at ${address.replace('0.0.0.0', '127.0.0.1')} (/healthz, /readyz, /metrics)`,
    );
    stops.push(() => closeGracefully(ops, config.shutdownTimeoutMs));
  }

  process.stdout.write(`\n${lines.join('\n')}\n\n`);
  const summary = startActivitySummary({
    metrics: container.metrics,
    logger: container.logger,
    role,
    intervalMs: config.summaryIntervalMs,
  });
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      await Promise.all(stops.map((close) => close()));
      await summary.stop();
      await container.close();
    })();
    return stopping;
  };
  return { url, stop };
}
