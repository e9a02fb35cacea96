// The delivery worker: claims due deliveries in batches under a lease as the claim planner says,
// keeps them in per-owner and per-webhook local lines (owners take turns; caps per worker, per owner
// and an adaptive one per webhook), hands them to the dispatcher, which records results in
// fault-isolated group commits — refills ride on them — and stops gracefully within a deadline.
import type { QueueSignal } from '../db/queue-signal.ts';
import type { AttemptResult, RecordSummary } from '../db/queue-store/types.ts';
import type { ClaimedDelivery, QueueRepo, QueueResult } from '../db/repos/queue-repo.ts';
import type { Logger } from '../logger.ts';
import { createClaimPlanner } from './claim-planner.ts';
import { createContextFreshness } from './context-freshness.ts';
import { createDeliveryLines } from './delivery-lines.ts';
import { type DispatchDeps, dispatch } from './dispatch.ts';
import { type AttemptDispatched, createDispatcher } from './dispatcher.ts';
import { createEndpointLimits } from './endpoint-limits.ts';
import { createNextDue } from './next-due.ts';
import { createResultWriter } from './result-writer.ts';
import { unrecordableResult } from './results.ts';

export interface WorkerSettings {
  workerId: string;
  workerConcurrency: number;
  /** Sends in flight at most for one owner's webhooks together. */
  ownerConcurrency: number;
  /** The most sends in flight towards one webhook (its cap shrinks while it times out). */
  webhookConcurrency: number;
  claimBatchSize: number;
  leaseMs: number;
  pollIntervalMs: number;
  retrySchedule: readonly number[];
  autoPauseAfter: number;
  autoPauseReason: string;
}

export interface WorkerDeps {
  settings: WorkerSettings;
  queue: QueueRepo;
  dispatch: DispatchDeps;
  signal: QueueSignal;
  logger: Logger;
  /** Called after each attempt is recorded (metrics). */
  onAttempt?: (result: AttemptDispatched, recorded: AttemptResult) => void;
}

export interface Worker {
  /** Ids of the deliveries this worker holds (waiting or in flight). */
  held(): string[];
  /** Stops claiming; lets attempts in flight finish for `graceMs`, then releases the rest. */
  stop(graceMs: number): Promise<void>;
}

/** A claimed delivery waiting longer than this reads its webhook's context again before sending. */
const CONTEXT_MAX_AGE_MS = 100;

/** What an operator must hear about a write: webhooks it auto-paused, results fenced out by a lost lease. */
function reportRecorded(
  logger: Logger,
  batch: readonly QueueResult[],
  summary: RecordSummary,
  autoPauseAfter: number,
): void {
  for (const webhookId of summary.autoPaused) {
    logger.warn(
      { webhookId, consecutiveFailures: autoPauseAfter },
      'webhook auto-paused after consecutive failures',
    );
  }
  const lost = batch.length - summary.recorded;
  if (lost > 0) {
    logger.warn(
      { results: lost },
      'lease lost: results dropped because their deliveries were taken back by the queue (they are attempted again)',
    );
  }
}

const countPerWebhook = (claimed: readonly ClaimedDelivery[]) => {
  const perWebhook = new Map<string, number>();
  for (const d of claimed) perWebhook.set(d.webhookId, (perWebhook.get(d.webhookId) ?? 0) + 1);
  return perWebhook;
};

export function startWorker(deps: WorkerDeps): Worker {
  const { settings, queue, logger } = deps;
  const limits = createEndpointLimits(settings.webhookConcurrency);
  const lines = createDeliveryLines({
    workerConcurrency: settings.workerConcurrency,
    ownerConcurrency: settings.ownerConcurrency,
    webhookLimit: limits.limit,
  });
  const inFlight = lines.inFlight();
  const planner = createClaimPlanner(settings, { ...lines, inFlightCount: () => inFlight.size });
  let stopping = false;
  let wake: (() => void) | undefined;
  /** When the idle loop's current sleep ends (Infinity while it is not sleeping). */
  let sleepUntil = Number.POSITIVE_INFINITY;
  const nextDue = createNextDue((after) => queue.nextDueAt(after), settings.pollIntervalMs);
  /** A wanted refill waits for the record transaction about to run, which leases it too. */
  let refillRides = false;
  const refillDue = () => planner.refillWanted() && !refillRides;
  const writer = createResultWriter<QueueResult>(
    async (batch) => {
      refillRides = false;
      const refill = !stopping && planner.refillWanted() ? planner.planRefill(Date.now()) : undefined;
      let summary: RecordSummary;
      try {
        summary = await queue.record(
          batch,
          {
            workerId: settings.workerId,
            now: Date.now(),
            autoPauseAfter: settings.autoPauseAfter,
            autoPauseReason: settings.autoPauseReason,
          },
          refill,
        );
      } catch (error) {
        // The refill rolled back with the results: the next scan finds those deliveries.
        if (refill) {
          planner.claimFailed();
          kick(true);
        }
        throw error;
      }
      reportRecorded(logger, batch, summary, settings.autoPauseAfter);
      if (refill) {
        take(summary.claimed);
        planner.refilled(refill, summary.claimed, Date.now());
      }
      if (refillDue()) kick(false);
    },
    logger,
    { fallback: (result, error) => unrecordableResult(result, error, settings, Date.now()) },
  );
  const kick = (scan: boolean) => {
    if (scan) planner.wantScan();
    wake?.();
  };
  // New deliveries only of webhooks whose refills will reach them need no scan.
  const unsubscribe = deps.signal.onWake((webhookIds) => {
    if (!webhookIds || !planner.refillsReach(webhookIds)) kick(true);
  });

  const dispatcher = createDispatcher({
    settings,
    dispatch: (delivery, recheck) => dispatch(deps.dispatch, delivery, recheck),
    writer,
    release: (ids) => queue.release(ids, settings.workerId),
    limits,
    freshness: createContextFreshness(CONTEXT_MAX_AGE_MS),
    logger,
    ...(deps.onAttempt ? { onAttempt: deps.onAttempt } : {}),
    onFree(delivery) {
      lines.finish(delivery);
      pump();
      if (stopping) return;
      const wanted = planner.afterCompletion(delivery.webhookId, delivery.ownerId);
      if (wanted.scan || wanted.refill) kick(wanted.scan);
    },
    onRetry(at) {
      // A retry may now be due before the idle loop's timer; let it re-plan.
      nextDue.note(at);
      if (at < sleepUntil) kick(false);
    },
  });

  function pump(): void {
    while (!stopping) {
      const delivery = lines.next();
      if (!delivery) return;
      void dispatcher.run(delivery);
    }
  }

  function take(claimed: readonly ClaimedDelivery[]): void {
    for (const delivery of claimed) lines.add(delivery);
    pump();
  }

  /** One claim cycle: a scan when one is ready, then the refills wanted. */
  async function claimCycle(): Promise<void> {
    if (planner.scanReady(Date.now())) {
      const request = planner.planScan(Date.now());
      if (request) {
        const claimed = await queue.claim(request);
        take(claimed);
        planner.scanned(request, countPerWebhook(claimed), claimed.length);
      }
    }
    if (!refillDue() || stopping) return;
    // Results wait for their group commit: the refill rides on that transaction (one commit).
    if (writer.backlog() > 0) {
      refillRides = true;
      return;
    }
    const request = planner.planRefill(Date.now());
    if (!request) return;
    const claimed = await queue.refill(request);
    take(claimed);
    planner.refilled(request, claimed, Date.now());
  }

  /** Sleeps until a wake-up, a refill, the next retry is due, or the poll interval passes. */
  async function idle(): Promise<void> {
    let delay = settings.pollIntervalMs;
    if (planner.scanWanted()) delay = Math.min(delay, Math.max(0, planner.scanDeferredFor(Date.now())));
    try {
      const next = await nextDue.get(planner.lastScanAt());
      if (next !== undefined) delay = Math.max(0, Math.min(delay, next - Date.now()));
    } catch {
      // The poll interval still applies.
    }
    if (planner.scanReady(Date.now()) || refillDue() || stopping) return;
    sleepUntil = Date.now() + delay;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        planner.wantScan();
        done();
      }, delay);
      function done() {
        clearTimeout(timer);
        wake = undefined;
        sleepUntil = Number.POSITIVE_INFINITY;
        resolve();
      }
      wake = done;
    });
  }

  async function loop(): Promise<void> {
    while (!stopping) {
      try {
        await claimCycle();
      } catch (error) {
        logger.error({ err: error }, 'claiming deliveries failed; retrying after the poll interval');
        await new Promise((resolve) => setTimeout(resolve, settings.pollIntervalMs));
        planner.claimFailed();
        continue;
      }
      if (!planner.scanReady(Date.now()) && !refillDue()) await idle();
    }
  }

  const loopDone = loop();

  return {
    held: () => [...inFlight.keys(), ...dispatcher.unrecorded(), ...lines.waitingIds()],
    async stop(graceMs) {
      stopping = true;
      wake?.();
      unsubscribe();
      await loopDone;
      const unstarted = lines.drainWaiting().map((d) => d.id);
      if (unstarted.length > 0) await queue.release(unstarted, settings.workerId).catch(() => {});
      const deadline = Date.now() + graceMs;
      while (inFlight.size > 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, Math.min(20, Math.max(1, deadline - Date.now()))));
      }
      const cut = [...inFlight.keys()];
      dispatcher.abandon(cut);
      if (cut.length > 0) {
        logger.warn({ deliveries: cut.length }, 'releasing attempts still in flight at shutdown');
        await queue.release(cut, settings.workerId).catch(() => {});
      }
      await writer.drain();
    },
  };
}
