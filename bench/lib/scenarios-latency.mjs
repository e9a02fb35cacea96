// Latency scenarios: `--rate` events/s open-loop for `--latency-seconds`, p50/p95/p99 publish→delivery
// on two clocks. `latency` (SQLite, K=--latency-webhooks), `latency-k4` (SQLite, K=4) and
// `latency-postgres` (api + --pg-workers workers on PostgreSQL, K=1).
import { processFigures, withPostgres, withSqlite } from './deployments.mjs';
import { nowMs, pct, publishAtRate, receiverControl, receiverStats, setupAccount } from './load.mjs';
import { procStats } from './processes.mjs';

const summary = (values) => ({
  n: values.length,
  p50: pct(values, 50),
  p95: pct(values, 95),
  p99: pct(values, 99),
  max: pct(values, 100),
});

/** Receive times of `published` events (all `expected` deliveries, or what came by the deadline). */
async function collect(port, published, expected, deadlineMs) {
  const sentAt = new Map(published.results.map((r) => [r.id, r.sentAt]));
  // Late deliveries of an earlier phase may still arrive: count this phase's events only.
  const measured = (stats) => Object.entries(stats.received).filter(([key]) => sentAt.has(key.split('@')[0]));
  const deadline = nowMs() + deadlineMs;
  let stats = await receiverStats(port, 'ids');
  while (measured(stats).length < expected && nowMs() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    stats = await receiverStats(port, 'ids');
  }
  return { sentAt, mine: measured(stats) };
}

const sorted = (values) => values.sort((a, b) => a - b);

/** Publish → received on the runner's clock (from just before the request left), in order. */
const fromSend = ({ sentAt, mine }) => sorted(mine.map(([key, [at]]) => at - sentAt.get(key.split('@')[0])));

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
  // The same rate first (connections, and the JIT of a process that has just started), measured
  // apart: a running service is warm, and its first seconds are shown as the cold figure.
  await receiverControl(port, '/__config', { recordIds: true });
  const warmup = await publishAtRate({ ...load, seconds: opts.latencyWarmup });
  const cold = fromSend(await collect(port, warmup, warmup.accepted * ports.length, 10_000));
  await receiverControl(port, '/__reset');
  await receiverControl(port, '/__config', { recordIds: true });
  const before = services.map((service) => procStats(service.child.pid));
  const published = await publishAtRate({ ...load, seconds: opts.latencySeconds });
  const expected = published.accepted * ports.length;
  const phase = await collect(port, published, expected, opts.deadlineMs / 2);
  await receiverControl(port, '/__config', { recordIds: false });
  await receiverControl(port, '/__reset');
  const { sentAt, mine } = phase;
  // Service clock: from the event's created_at.
  const fromCreatedAt = sorted(mine.map(([, [at, created]]) => at - created).filter((v) => !Number.isNaN(v)));
  // The p99 of each second of the window (runner's clock): shows whether the tail is spread or early.
  const start = Math.min(...sentAt.values());
  const perSecond = Array.from({ length: Math.ceil(opts.latencySeconds) }, () => []);
  for (const [key, [at]] of mine) {
    const sent = sentAt.get(key.split('@')[0]);
    perSecond[Math.min(perSecond.length - 1, Math.floor((sent - start) / 1000))].push(at - sent);
  }
  return {
    rate: opts.rate,
    seconds: opts.latencySeconds,
    warmupSeconds: opts.latencyWarmup,
    webhooks: ports.length,
    publish: { ...published, results: undefined },
    delivered: mine.length,
    complete: mine.length >= expected,
    fromCreatedAtMs: summary(fromCreatedAt),
    fromSendMs: summary(fromSend(phase)),
    p99BySecondMs: perSecond.map((values) => pct(sorted(values), 99)),
    coldFromSendMs: summary(cold),
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
