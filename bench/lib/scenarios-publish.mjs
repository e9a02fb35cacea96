// Intake only (`--role api` on SQLite, no worker, K=1): how fast events and their delivery rows are
// stored, one event per request (`publish`) and 500 per request through the batch endpoint.
import { processFigures, round, withSqlite } from './deployments.mjs';
import { publishAsFastAsPossible, setupAccount } from './load.mjs';
import { procStats } from './processes.mjs';
import { publishInBatches } from './publish-batch.mjs';

/**
 * Runs `publish(load)` against a fresh api process with one webhook, after `--publish-warmup`
 * events published the same way and not counted (a long-running service is warm: JIT, page cache);
 * adds its CPU per event.
 */
const intake = (opts, publish) =>
  withSqlite(opts, 'api', async ({ env, url, services }) => {
    const account = await setupAccount({ url, env, ports: opts.ports.slice(0, 1) });
    const load = {
      url,
      token: env.KLANG_INGEST_TOKEN,
      conversationId: account.conversationId,
      deadlineMs: opts.deadlineMs / 2,
    };
    if (opts.publishWarmup > 0) {
      await publishAsFastAsPossible({
        ...load,
        events: opts.publishWarmup,
        concurrency: opts.publishConcurrency,
      });
    }
    const before = services.map((service) => procStats(service.child.pid));
    const runnerBefore = process.cpuUsage();
    const published = await publish(load);
    const runner = process.cpuUsage(runnerBefore);
    const processes = processFigures(services, before);
    return {
      webhooks: 1,
      warmup: opts.publishWarmup,
      ...published,
      results: undefined,
      serviceCpuUsPerEvent: round((processes[0].cpuSeconds * 1e6) / Math.max(1, published.accepted)),
      runnerCpuUsPerEvent: round((runner.user + runner.system) / Math.max(1, published.accepted)),
      processes,
    };
  });

/** One event per request, `--publish-concurrency` requests in flight. */
export const scenarioPublish = (opts) =>
  intake(opts, (load) =>
    publishAsFastAsPossible({ ...load, events: opts.events, concurrency: opts.publishConcurrency }),
  );

/** `--batch-events` events through POST /internal/v1/events/batch, `--batch-size` per request. */
export const scenarioPublishBatch = (opts) =>
  intake(opts, (load) =>
    publishInBatches({
      ...load,
      events: opts.batchEvents,
      batchSize: opts.batchSize,
      concurrency: opts.batchConcurrency,
    }),
  );
