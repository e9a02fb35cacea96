// Latency scenarios: `--rate` events/s open-loop for `--latency-seconds`, p50/p95/p99 publish→delivery
// on two clocks. `latency` (SQLite, K=--latency-webhooks), `latency-k4` (SQLite, K=4) and
// `latency-postgres` (api + --pg-workers workers on PostgreSQL, K=1).
import { processFigures, withPostgres, withSqlite } from './deployments.mjs';
import {
  nowMs,
  pct,
  publishAtRate,
  receiverControl,
  receiverStats,
  setupAccount,
  waitForDeliveries,
} from './load.mjs';
import { procStats } from './processes.mjs';

const summary = (values) => ({
  n: values.length,
  p50: pct(values, 50),
  p95: pct(values, 95),
  p99: pct(values, 99),
  max: pct(values, 100),
});

/** Open-loop publishing at a fixed rate to `webhooks` webhooks; publish→delivery latency. */
async function measureLatency(opts, webhooks, { env, url, services }) {
  const ports = opts.ports.slice(0, webhooks);
  const account = await setupAccount({ url, env, ports });
  const port = opts.ports[0];
  const load = {
    url,
    token: env.KLANG_INGEST_TOKEN,
    conversationId: account.conversationId,
    rate: opts.rate,
  };
  // One second at the same rate first (connections, JIT), not counted.
  const warmup = await publishAtRate({ ...load, seconds: 1 });
  await waitForDeliveries(port, warmup.accepted * ports.length, { deadlineMs: 10_000 });
  await receiverControl(port, '/__reset');
  await receiverControl(port, '/__config', { recordIds: true });
  const before = services.map((service) => procStats(service.child.pid));
  const published = await publishAtRate({ ...load, seconds: opts.latencySeconds });
  // Late warm-up deliveries may still arrive: wait for (and count) this phase's events only.
  const sentAt = new Map(published.results.map((r) => [r.id, r.sentAt]));
  const expected = published.accepted * ports.length;
  const measured = (stats) => Object.entries(stats.received).filter(([key]) => sentAt.has(key.split('@')[0]));
  const deadline = nowMs() + opts.deadlineMs / 2;
  let stats = await receiverStats(port, 'ids');
  while (measured(stats).length < expected && nowMs() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    stats = await receiverStats(port, 'ids');
  }
  await receiverControl(port, '/__config', { recordIds: false });
  await receiverControl(port, '/__reset');
  const mine = measured(stats);
  const sorted = (values) => values.sort((a, b) => a - b);
  // Runner's clock: from just before the publish request left; service clock: from created_at.
  const fromSend = sorted(mine.map(([key, [at]]) => at - sentAt.get(key.split('@')[0])));
  const fromCreatedAt = sorted(mine.map(([, [at, created]]) => at - created).filter((v) => !Number.isNaN(v)));
  return {
    rate: opts.rate,
    seconds: opts.latencySeconds,
    webhooks: ports.length,
    publish: { ...published, results: undefined },
    delivered: mine.length,
    complete: mine.length >= expected,
    fromCreatedAtMs: summary(fromCreatedAt),
    fromSendMs: summary(fromSend),
    processes: processFigures(services, before),
  };
}

export const scenarioLatency = (opts) =>
  withSqlite(opts, 'all', (deployment) => measureLatency(opts, opts.latencyWebhooks, deployment));

export const scenarioLatencyK4 = (opts) =>
  withSqlite(opts, 'all', (deployment) => measureLatency(opts, 4, deployment));

export const scenarioLatencyPostgres = async (opts) => ({
  workers: opts.pgWorkers,
  ...(await withPostgres(opts, opts.pgWorkers, (deployment) => measureLatency(opts, 1, deployment))),
});
