// Periodic duties of a worker process: the heartbeat row and lease renewal for the deliveries it
// holds, and the sweeper (expired leases back to the queue, retention pruning, stale workers).
import type { QueueRepo } from '../db/repos/queue-repo.ts';
import type { Logger } from '../logger.ts';

export interface HousekeepingSettings {
  workerId: string;
  role: string;
  startedAt: number;
  leaseMs: number;
  retentionMs: number;
  heartbeatIntervalMs: number;
  sweepIntervalMs: number;
}

export interface Housekeeping {
  /** One sweep now (tests and start-up). */
  sweep(): Promise<void>;
  stop(): Promise<void>;
}

const STALE_WORKER_MS = 24 * 3_600_000;

export function startHousekeeping(deps: {
  settings: HousekeepingSettings;
  queue: QueueRepo;
  held: () => string[];
  logger: Logger;
}): Housekeeping {
  const { settings, queue, logger } = deps;
  let running: Promise<unknown> = Promise.resolve();

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

  async function sweep(): Promise<void> {
    const now = Date.now();
    try {
      const released = await queue.releaseExpiredLeases(now);
      const pruned = await queue.prune(now - settings.retentionMs);
      await queue.removeStaleWorkers(now - STALE_WORKER_MS);
      if (released > 0 || pruned.attempts > 0 || pruned.events > 0) {
        logger.info({ releasedLeases: released, pruned }, 'queue sweep');
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
      clearInterval(heartbeatTimer);
      clearInterval(sweepTimer);
      await running;
    },
  };
}
