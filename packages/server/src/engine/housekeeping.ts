// Periodic duties of a worker process: the heartbeat row and lease renewal for the deliveries it
// holds, and the sweeper (expired leases back to the queue, retention pruned in bounded batches,
// stale workers).
import type { QueueRepo } from '../db/repos/queue-repo.ts';
import type { PruneCounts } from '../db/repos/queue-sweeps.ts';
import type { Logger } from '../logger.ts';

export interface HousekeepingSettings {
  workerId: string;
  role: string;
  startedAt: number;
  leaseMs: number;
  retentionMs: number;
  heartbeatIntervalMs: number;
  sweepIntervalMs: number;
  /** Rows per table per retention batch. */
  pruneBatch: number;
}

export interface Housekeeping {
  /** One sweep now (tests and start-up). */
  sweep(): Promise<void>;
  stop(): Promise<void>;
}

const STALE_WORKER_MS = 24 * 3_600_000;
/** Hourly stats answer for the last 24 hours; a second day is kept for hours across a boundary. */
const STATS_KEPT_MS = 48 * 3_600_000;
const PRUNE_BUDGET_MS = 10_000;
const PRUNE_PAUSE_MS = 25;

export function startHousekeeping(deps: {
  settings: HousekeepingSettings;
  queue: QueueRepo;
  held: () => string[];
  logger: Logger;
}): Housekeeping {
  const { settings, queue, logger } = deps;
  let running: Promise<unknown> = Promise.resolve();
  let stopping = false;

  async function heartbeat(): Promise<void> {
    const now = Date.now();
    try {
      await queue.heartbeat(settings.workerId, settings.role, settings.startedAt, now);
      const held = deps.held();
      if (held.length > 0) await queue.renewLeases(held, settings.workerId, now + settings.leaseMs);
    } catch (error) {
      logger.warn({ err: error }, 'worker heartbeat failed');
    }
  }

  /**
   * Retention in bounded batches, a short pause between them so deliveries (and, on SQLite, their
   * writes) go on; stops for this sweep after PRUNE_BUDGET_MS and goes on at the next.
   */
  async function prune(now: number): Promise<PruneCounts> {
    const cutoffs = {
      history: now - settings.retentionMs,
      stats: Math.max(now - settings.retentionMs, now - STATS_KEPT_MS),
    };
    const total: PruneCounts = { attempts: 0, events: 0, stats: 0, idempotencyKeys: 0 };
    const deadline = Date.now() + PRUNE_BUDGET_MS;
    for (;;) {
      const counts = await queue.prune(cutoffs, settings.pruneBatch);
      for (const key of Object.keys(total) as (keyof PruneCounts)[]) total[key] += counts[key];
      const more = Object.values(counts).some((count) => count >= settings.pruneBatch);
      if (!more || stopping || Date.now() >= deadline) return total;
      await new Promise((resolve) => setTimeout(resolve, PRUNE_PAUSE_MS));
    }
  }

  async function sweep(): Promise<void> {
    const now = Date.now();
    try {
      const released = await queue.releaseExpiredLeases(now);
      const pruned = await prune(now);
      await queue.removeStaleWorkers(now - STALE_WORKER_MS);
      const orphanedWebhooks = await queue.removeOrphanedRows();
      if (released > 0 || orphanedWebhooks > 0 || Object.values(pruned).some((count) => count > 0)) {
        logger.info({ releasedLeases: released, pruned, orphanedWebhooks }, 'queue sweep');
      }
    } catch (error) {
      logger.warn({ err: error }, 'queue sweep failed');
    }
  }

  const serial = (task: () => Promise<void>) => () => {
    running = running.then(task);
  };
  const heartbeatTimer = setInterval(serial(heartbeat), settings.heartbeatIntervalMs);
  const sweepTimer = setInterval(serial(sweep), settings.sweepIntervalMs);

  return {
    async sweep() {
      serial(sweep)();
      await running;
    },
    async stop() {
      stopping = true;
      clearInterval(heartbeatTimer);
      clearInterval(sweepTimer);
      await running;
    },
  };
}
