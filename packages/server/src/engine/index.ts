// The delivery engine of a worker process: wires the queue, the guarded HTTP client, the worker and
// its housekeeping from the container; startEngine() returns the handle main.ts stops on SIGTERM.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Container } from '../container.ts';
import { createQueueRepo } from '../db/repos/queue-repo.ts';
import { PRUNE_BATCH } from '../db/repos/queue-sweeps.ts';
import { acquireWorkerLock } from '../db/worker-lock.ts';
import { autoPauseReason } from '../domain/auto-pause.ts';
import type { LookupFn } from './destination-guard.ts';
import { startHousekeeping } from './housekeeping.ts';
import { createHttpClient, type HttpClient, httpClientOptions } from './http-client.ts';
import { createThreadedHttpClient } from './threaded-http-client.ts';
import { startWorker } from './worker.ts';

export { resolveAndCheckHost } from './destination-guard.ts';
export { httpClientOptions } from './http-client.ts';

export interface EngineOptions {
  /** DNS resolution for deliveries (tests inject a stub to simulate rebinding). */
  lookup?: LookupFn;
  /** Extra trusted CA certificates (PEM) for receivers; tests trust their self-signed receiver. */
  ca?: string | string[];
  workerId?: string;
  /** Sweeper period; default one minute. */
  sweepIntervalMs?: number;
  /** Rows per table per retention batch (tests use small batches). */
  pruneBatch?: number;
}

export interface Engine {
  workerId: string;
  /** Runs the sweeper once now (expired leases, retention). */
  sweep(): Promise<void>;
  /** Stops claiming, lets attempts in flight finish within config.shutdownTimeoutMs, releases the rest. */
  stop(): Promise<void>;
}

/** A send thread that has not come up by then still takes requests (they wait in its port). */
const THREAD_READY_WAIT_MS = 5_000;

async function untilReady(ready: Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const waited = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, THREAD_READY_WAIT_MS);
  });
  await Promise.race([ready, waited]);
  clearTimeout(timer);
}

export async function startEngine(container: Container, options: EngineOptions = {}): Promise<Engine> {
  const { config, logger } = container;
  const workerId = options.workerId ?? `wrk_${hostname()}_${process.pid}_${randomBytes(4).toString('hex')}`;
  const startedAt = Date.now();
  // Before touching leases: on SQLite a second worker would take the first one's leases.
  const lock = acquireWorkerLock(container.database);
  const queue = createQueueRepo(container.database);
  try {
    const recovered = await queue.recoverAtStart(startedAt);
    if (recovered > 0) logger.info({ deliveries: recovered }, 'returned deliveries left by a stopped worker');
    await queue.heartbeat(workerId, 'worker', startedAt, startedAt);
  } catch (error) {
    lock.release();
    throw error;
  }

  const clientOptions = { ...httpClientOptions(config), ...(options.ca ? { ca: options.ca } : {}) };
  // An injected lookup is a function, which cannot cross to a thread: such engines send from here.
  let http: HttpClient;
  if (config.sendThreads > 0 && !options.lookup) {
    const threaded = createThreadedHttpClient({
      ...clientOptions,
      onProblem: (message) => logger.error(message),
    });
    await untilReady(threaded.ready);
    http = threaded;
  } else {
    http = createHttpClient({ ...clientOptions, ...(options.lookup ? { lookup: options.lookup } : {}) });
  }
  const metrics = container.metrics;
  const worker = startWorker({
    settings: {
      workerId,
      workerConcurrency: config.workerConcurrency,
      ownerConcurrency: config.ownerConcurrency,
      webhookConcurrency: config.webhookConcurrency,
      claimBatchSize: config.claimBatchSize,
      leaseMs: config.leaseMs,
      pollIntervalMs: config.pollIntervalMs,
      retrySchedule: config.retrySchedule,
      autoPauseAfter: config.autoPauseAfter,
      autoPauseReason: autoPauseReason(config.autoPauseAfter),
    },
    queue,
    dispatch: { queue, secretBox: container.secretBox, http },
    signal: container.queueSignal,
    logger: logger.child({ component: 'worker', workerId }),
    onAttempt: (result, recorded) => {
      const outcome = result.outcome;
      const eventType = recorded.attempt.event_type;
      metrics?.attempts.inc({
        outcome: outcome.outcome,
        error: outcome.outcome === 'failed' ? outcome.error : '',
        event_type: eventType,
      });
      metrics?.attemptDuration.observe({ outcome: outcome.outcome }, outcome.durationMs / 1000);
      if (recorded.deliveryStatus !== 'pending') {
        metrics?.deliveriesFinished.inc({ status: recorded.deliveryStatus, event_type: eventType });
      }
    },
  });
  const housekeeping = startHousekeeping({
    settings: {
      workerId,
      role: 'worker',
      startedAt,
      leaseMs: config.leaseMs,
      retentionMs: config.retentionMs,
      heartbeatIntervalMs: Math.max(50, Math.min(10_000, Math.floor(config.leaseMs / 3))),
      sweepIntervalMs: options.sweepIntervalMs ?? 60_000,
      pruneBatch: options.pruneBatch ?? PRUNE_BATCH,
    },
    queue,
    held: worker.held,
    logger,
  });
  logger.info({ workerId }, 'delivery engine started');

  let stopped: Promise<void> | undefined;
  return {
    workerId,
    sweep: () => housekeeping.sweep(),
    stop() {
      stopped ??= (async () => {
        await worker.stop(config.shutdownTimeoutMs);
        await housekeeping.stop();
        await http.close();
        await queue.removeWorker(workerId).catch(() => {});
        lock.release();
        logger.info({ workerId }, 'delivery engine stopped');
      })();
      return stopped;
    },
  };
}
