// The benchmark scenarios. Each starts its own deployment (fresh SQLite file or PostgreSQL
// database), runs one measurement against the shared receiver and stops everything it started.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import {
  nowMs,
  pct,
  publishAsFastAsPossible,
  publishAtRate,
  rawLoop,
  receiverControl,
  receiverStats,
  setupAccount,
  waitForDeliveries,
} from './load.mjs';
import { cpuSecondsMatching, procStats, serviceEnv, startService, stop } from './processes.mjs';

/** Runs `body` against a fresh SQLite deployment of the given role. */
async function withSqlite(opts, role, body) {
  const dir = mkdtempSync(join(tmpdir(), 'klang-bench-'));
  const env = serviceEnv({
    databaseUrl: `sqlite:${join(dir, 'klang.db')}`,
    dataDir: dir,
    extra: opts.serviceEnv,
  });
  const service = await startService(env, role, { nodeArgs: opts.nodeArgs });
  try {
    return await body({ env, url: service.url, services: [service] });
  } finally {
    await stop(service.child);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs `body` against a fresh PostgreSQL database with one api and `workers` worker processes. */
async function withPostgres(opts, workers, body) {
  const name = 'klang_bench';
  const admin = new pg.Client({ connectionString: `${opts.pgUrl}/postgres` });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
  const env = serviceEnv({ databaseUrl: `${opts.pgUrl}/${name}`, dataDir: tmpdir(), extra: opts.serviceEnv });
  const services = [];
  try {
    services.push(await startService(env, 'api', { nodeArgs: opts.nodeArgs }));
    for (let i = 0; i < workers; i++)
      services.push(await startService(env, 'worker', { nodeArgs: opts.nodeArgs }));
    const result = await body({ env, url: services[0].url, services });
    await Promise.all(services.map((service) => stop(service.child)));
    // The whole life of the database (setup included), read once its processes have flushed their stats.
    const { rows } = await admin.query(
      `SELECT xact_commit, tup_inserted, tup_updated, tup_deleted, tup_returned, tup_fetched
       FROM pg_stat_database WHERE datname = $1`,
      [name],
    );
    const perDelivery = Object.entries(rows[0] ?? {}).map(([key, value]) => [
      key,
      round(Number(value) / Math.max(1, result.delivered), 1),
    ]);
    return { ...result, postgresStatsPerDelivery: Object.fromEntries(perDelivery) };
  } finally {
    await Promise.all(services.map((service) => stop(service.child)));
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

const processFigures = (services, before) =>
  services.map((service, i) => {
    const now = procStats(service.child.pid);
    return {
      role: service.role,
      peakRssMiB: now.peakRssMiB,
      cpuSeconds: round(now.cpuSeconds - before[i].cpuSeconds, 2),
    };
  });

const round = (value, digits = 0) => Math.round(value * 10 ** digits) / 10 ** digits;

/** The largest number of requests in any 1 s window of the receiver's 100 ms timeline. */
const peakPerSecond = (timeline) =>
  timeline.reduce(
    (best, _, i) =>
      Math.max(
        best,
        timeline.slice(i, i + 10).reduce((a, b) => a + b, 0),
      ),
    0,
  );

/** Publishes `events` as fast as accepted to `webhooks` webhooks and waits for every delivery. */
async function measureThroughput(opts, { env, url, services }) {
  const ports = opts.ports.slice(0, opts.webhooks);
  const account = await setupAccount({ url, env, ports });
  await receiverControl(opts.ports[0], '/__reset');
  const before = services.map((service) => procStats(service.child.pid));
  const backendsBefore = cpuSecondsMatching(opts.backendNeedle ?? '\0none');
  const startedAt = nowMs();
  let atPublishEnd;
  let published;
  let done;
  const harness = await harnessCpu(opts, async () => {
    published = await publishAsFastAsPossible({
      url,
      token: env.KLANG_INGEST_TOKEN,
      conversationId: account.conversationId,
      events: opts.events,
      concurrency: opts.publishConcurrency,
      deadlineMs: opts.deadlineMs / 2,
    });
    atPublishEnd = await receiverStats(opts.ports[0], 'counts');
    const deadlineMs = Math.max(5_000, opts.deadlineMs - (nowMs() - startedAt));
    done = await waitForDeliveries(opts.ports[0], published.accepted * ports.length, { deadlineMs });
  });
  const expected = published.accepted * ports.length;
  const stats = await receiverStats(opts.ports[0], 'full');
  const processes = processFigures(services, before);
  const cpu = processes.reduce((sum, p) => sum + p.cpuSeconds, 0);
  // Database backends alive at the end (PostgreSQL): CPU used during the measurement.
  let backendCpu = 0;
  for (const [pid, seconds] of cpuSecondsMatching(opts.backendNeedle ?? '\0none')) {
    backendCpu += seconds - (backendsBefore.get(pid) ?? 0);
  }
  const publishEnd = startedAt + published.seconds * 1000;
  return {
    events: opts.events,
    webhooks: ports.length,
    publish: { ...published, results: undefined },
    expected,
    delivered: stats.unique,
    duplicates: stats.duplicates,
    complete: done.complete,
    seconds: round((stats.last - startedAt) / 1000, 2),
    deliveriesPerSecond: round(stats.unique / ((stats.last - startedAt) / 1000)),
    drainPerSecond: round((stats.unique - atPublishEnd.unique) / ((stats.last - publishEnd) / 1000)),
    peak1sPerSecond: peakPerSecond(stats.timeline),
    latencyMs: stats.latencyMs,
    avgBodyBytes: round(stats.bytes / Math.max(1, stats.requests)),
    serviceCpuUsPerDelivery: round((cpu * 1e6) / Math.max(1, stats.unique)),
    ...(opts.backendNeedle
      ? { databaseCpuUsPerDelivery: round((backendCpu * 1e6) / Math.max(1, stats.unique)) }
      : {}),
    processes,
    harness: { runnerCpuSeconds: harness.runnerCpuSeconds, receiverCpuSeconds: harness.receiverCpuSeconds },
  };
}

/** CPU used by the harness itself (runner and receiver) while `run` goes, and its result. */
async function harnessCpu(opts, run) {
  const receiver = procStats(opts.receiverPid).cpuSeconds;
  const runner = process.cpuUsage();
  const result = await run();
  const used = process.cpuUsage(runner);
  return {
    result,
    runnerCpuSeconds: round((used.user + used.system) / 1e6, 2),
    receiverCpuSeconds: round(procStats(opts.receiverPid).cpuSeconds - receiver, 2),
  };
}

export async function scenarioRaw(opts) {
  const port = opts.ports[0];
  const loop = async (sign) => {
    const { result, runnerCpuSeconds, receiverCpuSeconds } = await harnessCpu(opts, () =>
      rawLoop({ port, concurrency: 64, seconds: opts.rawSeconds, sign }),
    );
    // Warm-up included in the CPU time: per request it is an upper bound.
    const all = result.requests * (1 + 0.5 / opts.rawSeconds);
    return {
      ...result,
      senderCpuUsPerRequest: round((runnerCpuSeconds * 1e6) / all),
      receiverCpuUsPerRequest: round((receiverCpuSeconds * 1e6) / all),
    };
  };
  const unsigned = await loop(false);
  const signed = await loop(true);
  const stats = await receiverStats(port, 'counts');
  await receiverControl(port, '/__reset');
  return { concurrency: 64, unsigned, signed, receiverCounted: stats.requests };
}

export const scenarioSqlite = (opts) =>
  withSqlite(opts, 'all', (deployment) => measureThroughput(opts, deployment));

export const scenarioPostgres = (opts) =>
  withPostgres(opts, opts.pgWorkers, (deployment) =>
    measureThroughput({ ...opts, backendNeedle: ' klang_bench ' }, deployment),
  );

/** Publish only (role api, no worker): how fast events and their fan-out rows are stored. */
export const scenarioPublish = (opts) =>
  withSqlite(opts, 'api', async ({ env, url, services }) => {
    const account = await setupAccount({ url, env, ports: opts.ports.slice(0, 1) });
    const before = services.map((service) => procStats(service.child.pid));
    const published = await publishAsFastAsPossible({
      url,
      token: env.KLANG_INGEST_TOKEN,
      conversationId: account.conversationId,
      events: opts.events,
      concurrency: opts.publishConcurrency,
      deadlineMs: opts.deadlineMs / 2,
    });
    const processes = processFigures(services, before);
    return {
      webhooks: 1,
      ...published,
      results: undefined,
      serviceCpuUsPerEvent: round((processes[0].cpuSeconds * 1e6) / Math.max(1, published.accepted)),
      processes,
    };
  });

/** Open-loop publishing at a fixed rate; publish→delivery latency from two clocks. */
export const scenarioLatency = (opts) =>
  withSqlite(opts, 'all', async ({ env, url, services }) => {
    const ports = opts.ports.slice(0, opts.latencyWebhooks);
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
    const measured = (stats) =>
      Object.entries(stats.received).filter(([key]) => sentAt.has(key.split('@')[0]));
    const deadline = nowMs() + opts.deadlineMs / 2;
    let stats = await receiverStats(port, 'ids');
    while (measured(stats).length < expected && nowMs() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      stats = await receiverStats(port, 'ids');
    }
    await receiverControl(port, '/__config', { recordIds: false });
    const mine = measured(stats);
    const sorted = (values) => values.sort((a, b) => a - b);
    const summary = (values) => ({
      n: values.length,
      p50: pct(values, 50),
      p95: pct(values, 95),
      p99: pct(values, 99),
      max: pct(values, 100),
    });
    // Runner's clock: from just before the publish request left; service clock: from created_at.
    const fromSend = sorted(mine.map(([key, [at]]) => at - sentAt.get(key.split('@')[0])));
    const fromCreatedAt = sorted(
      mine.map(([, [at, created]]) => at - created).filter((v) => !Number.isNaN(v)),
    );
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
  });
