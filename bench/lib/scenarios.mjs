// The throughput scenarios: the raw HTTP limit, and the service (SQLite, PostgreSQL) publishing and
// delivering as fast as it can. Each starts its own deployment (deployments.mjs) and stops it.
import { processFigures, round, withPostgres, withSqlite } from './deployments.mjs';
import {
  nowMs,
  publishAsFastAsPossible,
  rawLoop,
  receiverControl,
  receiverStats,
  setupAccount,
  waitForDeliveries,
} from './load.mjs';
import { cpuSecondsMatching, procStats } from './processes.mjs';
import { attemptStorage } from './storage.mjs';

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
  withSqlite(opts, 'all', async (deployment) => ({
    ...(await measureThroughput(opts, deployment)),
    attemptStorage: attemptStorage(deployment.file),
  }));

export const scenarioPostgres = (opts) =>
  withPostgres(opts, opts.pgWorkers, (deployment) =>
    measureThroughput({ ...opts, backendNeedle: ' klang_bench ' }, deployment),
  );
