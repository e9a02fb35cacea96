// `drain-rss`: memory while draining a large backlog on SQLite. An `--role api` process stores
// `--backlog` deliveries (events through the batch endpoint, K webhooks), stops; one `--role all`
// process then drains them while its VmRSS is sampled every second.
import { processFigures, round, withSqliteFile } from './deployments.mjs';
import { nowMs, receiverControl, receiverStats, setupAccount } from './load.mjs';
import { procStats } from './processes.mjs';
import { publishInBatches } from './publish-batch.mjs';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * RSS once start-up is behind (10 s in and a tenth of the backlog delivered): its range and its
 * trend, the least-squares slope in MiB per 100,000 deliveries (flat: about 0). None for a drain too
 * short to have a steady part (fewer than 10 samples).
 */
function steadyRss(samples, backlog) {
  const steady = samples.filter((s) => s.s >= 10 && s.delivered >= 0.1 * backlog);
  if (steady.length < 10) return undefined;
  const n = steady.length;
  const mx = steady.reduce((a, s) => a + s.delivered, 0) / n;
  const my = steady.reduce((a, s) => a + s.rssMiB, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const s of steady) {
    sxy += (s.delivered - mx) * (s.rssMiB - my);
    sxx += (s.delivered - mx) ** 2;
  }
  const rss = steady.map((s) => s.rssMiB);
  return {
    min: Math.min(...rss),
    max: Math.max(...rss),
    miBPer100k: sxx > 0 ? round((sxy / sxx) * 100_000, 1) : 0,
  };
}

/** The first sample at or past `share` of the backlog delivered (the last one if none). */
const atShare = (samples, backlog, share) =>
  samples.find((s) => s.delivered >= share * backlog) ?? samples[samples.length - 1];

export const scenarioDrainRss = (opts) =>
  withSqliteFile(opts, async ({ env, start, stop }) => {
    const ports = opts.ports.slice(0, opts.webhooks);
    const port = opts.ports[0];
    const api = await start('api');
    const account = await setupAccount({ url: api.url, env, ports });
    const built = await publishInBatches({
      url: api.url,
      token: env.KLANG_INGEST_TOKEN,
      conversationId: account.conversationId,
      events: Math.ceil(opts.backlog / ports.length),
      batchSize: opts.batchSize,
      concurrency: opts.batchConcurrency,
      deadlineMs: opts.backlogDeadlineMs,
    });
    await stop(api);
    const backlog = built.accepted * ports.length;
    await receiverControl(port, '/__reset');

    const startedAt = nowMs();
    const service = await start('all');
    const before = [procStats(service.child.pid)];
    const readyMs = nowMs() - startedAt;
    const samples = [];
    const deadline = nowMs() + opts.backlogDeadlineMs;
    let lastChange = nowMs();
    for (;;) {
      const [{ unique }, { rssMiB }] = [await receiverStats(port, 'counts'), procStats(service.child.pid)];
      const previous = samples[samples.length - 1];
      samples.push({ s: round((nowMs() - startedAt) / 1000, 1), rssMiB, delivered: unique });
      if (!previous || unique !== previous.delivered) lastChange = nowMs();
      if (unique >= backlog || nowMs() > deadline || nowMs() - lastChange > 60_000) break;
      await sleep(1000);
    }
    const processes = processFigures([service], before);
    const stats = await receiverStats(port, 'full');
    await receiverControl(port, '/__reset');
    const drainSeconds = (stats.last - stats.first) / 1000;
    const rss = samples.map((s) => s.rssMiB);
    const point = (share) => {
      const s = atShare(samples, backlog, share);
      return { s: s.s, delivered: s.delivered, rssMiB: s.rssMiB };
    };
    return {
      webhooks: ports.length,
      requested: opts.backlog,
      build: { ...built, deliveriesStored: backlog },
      backlog,
      delivered: stats.unique,
      duplicates: stats.duplicates,
      complete: stats.unique >= backlog,
      readySeconds: round(readyMs / 1000, 2),
      drainSeconds: round(drainSeconds, 1),
      drainPerSecond: round(stats.unique / Math.max(0.001, drainSeconds)),
      rssMiB: {
        start: samples[0]?.rssMiB,
        tenth: point(0.1).rssMiB,
        middle: point(0.5).rssMiB,
        end: samples[samples.length - 1]?.rssMiB,
        peakSampled: Math.max(...rss),
        peakVmHWM: processes[0].peakRssMiB,
        steady: steadyRss(samples, backlog),
      },
      at: { tenth: point(0.1), half: point(0.5), ninetieth: point(0.9), end: point(1) },
      serviceCpuUsPerDelivery: round((processes[0].cpuSeconds * 1e6) / Math.max(1, stats.unique)),
      processes,
      samples,
    };
  });
