// The BullMQ + Redis peer, measured like the service: fan-out at publish (one job per webhook per
// event, `addBulk`), 5 attempts with exponential backoff, a worker process that signs and POSTs with
// undici to the same receiver ports. Throughput (as fast as Redis accepts) and latency at a rate.
import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { nowMs, pct, receiverControl, receiverStats, waitForDeliveries } from './load.mjs';
import { procStats, startPeerWorker, stop } from './processes.mjs';

const round = (value, digits = 0) => Math.round(value * 10 ** digits) / 10 ** digits;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const JOB_OPTIONS = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: true,
  removeOnFail: 1000,
};

/** A payload of the service's shape and size (`conversation.ready`, ~180 B). */
function payload(id) {
  return JSON.stringify({
    id,
    type: 'conversation.ready',
    created_at: new Date().toISOString(),
    data: { conversation: { id: 'cnv_bench', title: 'Bench', url: null } },
  });
}

/** Runs `body` with a fresh queue, its worker process and one whsec_ secret per receiver port. */
async function withPeer(opts, body) {
  const name = `klang-bench-${randomBytes(4).toString('hex')}`;
  const connection = new IORedis(opts.redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue(name, { connection });
  const worker = await startPeerWorker({
    queue: name,
    redisUrl: opts.redisUrl,
    concurrency: opts.peerConcurrency,
    nodeArgs: opts.nodeArgs,
  });
  const secrets = Object.fromEntries(
    opts.ports.map((port) => [port, `whsec_${randomBytes(24).toString('base64')}`]),
  );
  let n = 0;
  /** Publishes one event: one job per port, in one addBulk; resolves to {id, sentAt}. */
  const publish = async (ports) => {
    const id = `msg_${name}_${n++}`;
    const sentAt = nowMs();
    const body = payload(id);
    await queue.addBulk(
      ports.map((port) => ({
        name: 'deliver',
        data: { url: `http://127.0.0.1:${port}/`, secret: secrets[port], id, payload: body },
        opts: JOB_OPTIONS,
      })),
    );
    return { id, sentAt };
  };
  try {
    return await body({ publish, worker });
  } finally {
    await stop(worker.child);
    await queue.obliterate({ force: true }).catch(() => {});
    await queue.close();
    connection.disconnect();
  }
}

/** Closed loop: `events` publishes, `concurrency` in flight, within `deadlineMs`. */
async function publishFast(publish, ports, { events, concurrency, deadlineMs }) {
  let next = 0;
  let accepted = 0;
  const startedAt = nowMs();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < events && nowMs() - startedAt < deadlineMs) {
        next++;
        await publish(ports);
        accepted++;
      }
    }),
  );
  const seconds = (nowMs() - startedAt) / 1000;
  return { accepted, errors: 0, seconds, perSecond: Math.round(accepted / seconds) };
}

export const scenarioPeer = (opts) =>
  withPeer(opts, async ({ publish, worker }) => {
    const ports = opts.ports.slice(0, opts.webhooks);
    await receiverControl(opts.ports[0], '/__reset');
    const before = procStats(worker.child.pid);
    const startedAt = nowMs();
    const published = await publishFast(publish, ports, {
      events: opts.events,
      concurrency: opts.publishConcurrency,
      deadlineMs: opts.deadlineMs / 2,
    });
    const atPublishEnd = await receiverStats(opts.ports[0], 'counts');
    const publishEnd = nowMs();
    const expected = published.accepted * ports.length;
    const deadlineMs = Math.max(5_000, opts.deadlineMs - (nowMs() - startedAt));
    const done = await waitForDeliveries(opts.ports[0], expected, { deadlineMs });
    const stats = await receiverStats(opts.ports[0], 'full');
    const cpu = procStats(worker.child.pid).cpuSeconds - before.cpuSeconds;
    return {
      events: opts.events,
      webhooks: ports.length,
      concurrency: opts.peerConcurrency,
      publish: published,
      expected,
      delivered: stats.unique,
      duplicates: stats.duplicates,
      complete: done.complete,
      seconds: round((stats.last - startedAt) / 1000, 2),
      deliveriesPerSecond: round(stats.unique / ((stats.last - startedAt) / 1000)),
      drainPerSecond: round((stats.unique - atPublishEnd.unique) / ((stats.last - publishEnd) / 1000)),
      workerCpuUsPerDelivery: round((cpu * 1e6) / Math.max(1, stats.unique)),
      peakRssMiB: procStats(worker.child.pid).peakRssMiB,
    };
  });

/** Open loop at `rate` events/s for `seconds`; publish → received latency on the runner's clock. */
export const scenarioPeerLatency = (opts) =>
  withPeer(opts, async ({ publish }) => {
    const ports = opts.ports.slice(0, opts.latencyWebhooks);
    const port = opts.ports[0];
    const atRate = async (seconds) => {
      const total = Math.round(opts.rate * seconds);
      const pending = [];
      const startedAt = nowMs();
      for (let sent = 0; sent < total; ) {
        const due = Math.min(total, Math.floor(((nowMs() - startedAt) * opts.rate) / 1000) + 1);
        for (; sent < due; sent++) pending.push(publish(ports));
        await sleep(1);
      }
      return Promise.all(pending);
    };
    const warmup = await atRate(opts.latencyWarmup);
    await waitForDeliveries(port, warmup.length * ports.length, { deadlineMs: 10_000 });
    await receiverControl(port, '/__reset');
    await receiverControl(port, '/__config', { recordIds: true });
    const sent = await atRate(opts.latencySeconds);
    const sentAt = new Map(sent.map((r) => [r.id, r.sentAt]));
    const expected = sent.length * ports.length;
    const mine = (stats) => Object.entries(stats.received).filter(([key]) => sentAt.has(key.split('@')[0]));
    const deadline = nowMs() + opts.deadlineMs / 2;
    let stats = await receiverStats(port, 'ids');
    while (mine(stats).length < expected && nowMs() < deadline) {
      await sleep(250);
      stats = await receiverStats(port, 'ids');
    }
    await receiverControl(port, '/__config', { recordIds: false });
    const values = mine(stats)
      .map(([key, [at]]) => at - sentAt.get(key.split('@')[0]))
      .sort((a, b) => a - b);
    return {
      rate: opts.rate,
      seconds: opts.latencySeconds,
      webhooks: ports.length,
      expected,
      delivered: values.length,
      complete: values.length >= expected,
      fromSendMs: { n: values.length, p50: pct(values, 50), p95: pct(values, 95), p99: pct(values, 99) },
    };
  });
