// The delivery worker: claims due deliveries in batches under a lease, runs attempts fairly (owners
// take turns; caps per worker, per owner and an adaptive one per webhook, so a slow endpoint or a noisy
// tenant never delays others), records results in fault-isolated group commits, renews its leases
// while it holds them, and stops gracefully within a deadline.
import type { QueueSignal } from '../db/queue-signal.ts';
import type { ClaimedDelivery, QueueRepo, QueueResult } from '../db/repos/queue-repo.ts';
import type { AttemptResult } from '../db/repos/queue-results.ts';
import type { Logger } from '../logger.ts';
import { createDeliveryLines } from './delivery-lines.ts';
import { type DispatchDeps, type DispatchResult, dispatch } from './dispatch.ts';
import { createEndpointLimits } from './endpoint-limits.ts';
import { createNextDue } from './next-due.ts';
import { createResultWriter } from './result-writer.ts';
import { attemptResult, unrecordableResult } from './results.ts';

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
  onAttempt?: (result: Extract<DispatchResult, { kind: 'attempt' }>, recorded: AttemptResult) => void;
}

export interface Worker {
  /** Ids of the deliveries this worker holds (waiting or in flight). */
  held(): string[];
  /** Stops claiming; lets attempts in flight finish for `graceMs`, then releases the rest. */
  stop(graceMs: number): Promise<void>;
}

/** Each webhook's local line holds up to this many times its in-flight cap (claimed ahead). */
const PREFETCH_FACTOR = 4;
/**
 * A scan that follows an exhaustive one reads only deliveries due since (minus this margin for
 * publishes that committed late); everything older is found per webhook or by the periodic full scan.
 */
const SCAN_MARGIN_MS = 100;
/**
 * While the worker is saturated on some webhooks, wake-ups scan at most this often: a publish burst
 * wakes the worker per commit, and each scan finding nothing would cost a transaction.
 */
const SATURATED_SCAN_GAP_MS = 20;

export function startWorker(deps: WorkerDeps): Worker {
  const { settings, queue, logger } = deps;
  const limits = createEndpointLimits(settings.webhookConcurrency);
  const lines = createDeliveryLines({
    workerConcurrency: settings.workerConcurrency,
    ownerConcurrency: settings.ownerConcurrency,
    webhookLimit: limits.limit,
  });
  const inFlight = lines.inFlight();
  const abandoned = new Set<string>();
  /** Sent successfully, result not yet written: still held (lease renewal), no longer using a slot. */
  const unrecorded = new Set<string>();
  let stopping = false;
  let wake: (() => void) | undefined;
  /** A scan in due order is wanted (wake-up, timer, a full last scan). */
  let scanWanted = true;
  /** When the idle loop's current sleep ends (Infinity while it is not sleeping). */
  let sleepUntil = Number.POSITIVE_INFINITY;
  /** The `now` of the last scan: everything due by then was seen by it. */
  let lastScanAt = Date.now();
  /** When the last scan without a lower bound ran. */
  let lastFullScanAt = 0;
  /** Set after a scan that took everything due of the webhooks it did not exclude. */
  let scanFloor: number | undefined;
  /** The last scan filled its limit (more may be due). */
  let lastScanFull = false;
  /** Webhooks that may have more due than this worker holds (excluded, or a claim hit their limit). */
  const saturated = new Set<string>();
  /** Saturated webhooks whose local line has room for a refill worth a query. */
  const refillWanted = new Set<string>();
  /** Owners a scan skipped (enough held): once their lines drain, a full scan finds the rest. */
  const ownersSkipped = new Set<string>();
  const nextDue = createNextDue((after) => queue.nextDueAt(after), settings.pollIntervalMs);
  const writer = createResultWriter<QueueResult>(
    (batch) =>
      queue.record(batch, {
        workerId: settings.workerId,
        now: Date.now(),
        autoPauseAfter: settings.autoPauseAfter,
        autoPauseReason: settings.autoPauseReason,
      }),
    logger,
    { fallback: (result, error) => unrecordableResult(result, error, settings, Date.now()) },
  );

  const kick = (scan: boolean) => {
    if (scan) scanWanted = true;
    wake?.();
  };
  const unsubscribe = deps.signal.onWake(() => kick(true));

  const backlog = lines.webhookBacklog;
  /** Claimed ahead per webhook, so one claim feeds many completions. */
  const prefetch = settings.webhookConcurrency * PREFETCH_FACTOR;
  /** A refill is worth a query once this much of a webhook's line is free. */
  const refillStep = Math.max(1, Math.floor(prefetch / 2));
  /** Deliveries held at most (in flight + waiting), bounding leases and memory. */
  const maxHeld = settings.workerConcurrency + settings.claimBatchSize;
  /** Held at most for one owner: others always find room. */
  const ownerHeld = Math.max(
    1,
    Math.min(settings.ownerConcurrency * PREFETCH_FACTOR, Math.floor(maxHeld / 2)),
  );
  const room = () => maxHeld - inFlight.size - lines.waitingCount();
  /** A scan after a completion is worth it once a quarter of a batch is free. */
  const scanStep = Math.max(1, Math.floor(settings.claimBatchSize / 4));

  /** A wanted scan waits: it would only look past saturated webhooks, and one ran moments ago. */
  const scanDeferredFor = () =>
    saturated.size > 0 && scanFloor !== undefined ? lastScanAt + SATURATED_SCAN_GAP_MS - Date.now() : 0;
  const scanReady = () => scanWanted && scanDeferredFor() <= 0;

  /** After a completion: queue a refill of this webhook, or a scan, when either is worth a query. */
  function afterCompletion(webhookId: string, ownerId: string): void {
    if (stopping) return;
    if (ownersSkipped.has(ownerId) && lines.ownerBacklog(ownerId) <= ownerHeld / 2) {
      ownersSkipped.delete(ownerId);
      scanFloor = undefined;
      kick(true);
    }
    if (
      saturated.has(webhookId) &&
      prefetch - backlog(webhookId) >= refillStep &&
      !refillWanted.has(webhookId)
    ) {
      refillWanted.add(webhookId);
      kick(false);
    }
    if (lastScanFull && !scanWanted && room() >= scanStep) kick(true);
  }

  function pump(): void {
    while (!stopping) {
      const delivery = lines.next();
      if (!delivery) return;
      void run(delivery);
    }
  }

  /** Records what dispatch returned; resolves once it is durable (or handed back to the queue). */
  async function settle(delivery: ClaimedDelivery, result: DispatchResult): Promise<void> {
    if (abandoned.has(delivery.id)) return;
    if (result.kind === 'attempt') {
      const recorded = attemptResult(delivery, result, settings, Date.now());
      const { outcome } = result;
      limits.observe(
        delivery.webhookId,
        outcome.outcome === 'succeeded' ? 'succeeded' : outcome.error === 'timeout' ? 'timeout' : 'other',
      );
      const ok = await writer.submit(recorded);
      if (ok) deps.onAttempt?.(result, recorded);
      logger.info(
        {
          webhookId: delivery.webhookId,
          deliveryId: delivery.id,
          eventId: delivery.eventId,
          attempt: recorded.attempt.attempt,
          outcome: result.outcome.outcome,
          error: result.outcome.outcome === 'failed' ? result.outcome.error : undefined,
          status: result.outcome.response?.status,
          durationMs: result.outcome.durationMs,
          next: recorded.deliveryStatus === 'pending' ? recorded.nextAttemptAt : recorded.deliveryStatus,
        },
        'delivery attempt',
      );
      // A retry may now be due before the idle loop's timer; let it re-plan.
      if (ok && recorded.nextAttemptAt !== null) {
        nextDue.note(recorded.nextAttemptAt);
        if (recorded.nextAttemptAt < sleepUntil) kick(false);
      }
    } else if (result.kind === 'cancel') {
      await writer.submit({ kind: 'cancel', deliveryId: delivery.id, reason: result.reason });
      logger.info(
        { webhookId: delivery.webhookId, deliveryId: delivery.id, reason: result.reason },
        'delivery cancelled',
      );
    } else if (result.kind === 'wait') {
      await queue.release([delivery.id], settings.workerId);
    }
  }

  /**
   * One delivery from dispatch to record. The webhook's slot is freed once the result is durable,
   * so the next attempt sees any auto-pause it caused; a success cannot cause one, so its slot is
   * freed as soon as the answer is in — for at most `workerConcurrency` unwritten successes, which
   * bounds what a crash can leave unrecorded to twice the worker's concurrency.
   */
  async function run(delivery: ClaimedDelivery): Promise<void> {
    let freed = false;
    const free = () => {
      if (freed) return;
      freed = true;
      lines.finish(delivery);
      pump();
      afterCompletion(delivery.webhookId, delivery.ownerId);
    };
    try {
      const result = await dispatch(deps.dispatch, delivery);
      const success = result.kind === 'attempt' && result.outcome.outcome === 'succeeded';
      if (success && !abandoned.has(delivery.id) && unrecorded.size < settings.workerConcurrency) {
        unrecorded.add(delivery.id);
        free();
      }
      await settle(delivery, result);
    } catch (error) {
      // Unexpected (e.g. the database is unreachable): the lease expires and the delivery is retried.
      logger.error({ err: error, deliveryId: delivery.id }, 'delivery could not be processed');
    } finally {
      unrecorded.delete(delivery.id);
      free();
    }
  }

  function take(claimed: readonly ClaimedDelivery[]): Map<string, number> {
    const perWebhook = new Map<string, number>();
    for (const delivery of claimed) {
      lines.add(delivery);
      perWebhook.set(delivery.webhookId, (perWebhook.get(delivery.webhookId) ?? 0) + 1);
    }
    pump();
    return perWebhook;
  }

  /**
   * A claim in due order, skipping the webhooks whose line is full. After an exhaustive scan with
   * exclusions, the next one reads only what became due since; a full scan still runs every poll
   * interval. Returns true when it filled its limit.
   */
  async function scan(): Promise<boolean> {
    const free = room();
    if (free <= 0) return false;
    const limit = Math.min(free, settings.claimBatchSize);
    const exclude = lines.webhookIds().filter((id) => backlog(id) >= prefetch);
    const excludeOwners = lines.ownerIds().filter((id) => lines.ownerBacklog(id) >= ownerHeld);
    for (const id of excludeOwners) ownersSkipped.add(id);
    const now = Date.now();
    const full =
      (exclude.length === 0 && excludeOwners.length === 0) ||
      scanFloor === undefined ||
      now - lastFullScanAt >= settings.pollIntervalMs;
    lastScanAt = now;
    if (full) lastFullScanAt = now;
    const claimed = await queue.claim({
      workerId: settings.workerId,
      now,
      leaseMs: settings.leaseMs,
      limit,
      perWebhook: prefetch,
      perOwner: ownerHeld,
      excludeWebhookIds: exclude,
      excludeOwnerIds: excludeOwners,
      dueAfter: full ? undefined : scanFloor,
    });
    const perWebhook = take(claimed);
    for (const id of exclude) saturated.add(id);
    for (const [id, count] of perWebhook) if (count >= prefetch) saturated.add(id);
    lastScanFull = claimed.length === limit;
    scanFloor = lastScanFull ? undefined : now - SCAN_MARGIN_MS;
    return lastScanFull;
  }

  /** Tops up the lines of saturated webhooks that have room, one LIMIT per webhook. */
  async function refill(): Promise<void> {
    const wanted = new Map<string, number>();
    const ownerRoom = new Map<string, number>();
    let budget = room();
    for (const id of refillWanted) {
      const owner = lines.ownerOf(id);
      const left =
        owner === undefined ? ownerHeld : (ownerRoom.get(owner) ?? ownerHeld - lines.ownerBacklog(owner));
      const count = Math.min(prefetch - backlog(id), budget, left);
      if (count <= 0) continue;
      wanted.set(id, count);
      if (owner !== undefined) ownerRoom.set(owner, left - count);
      budget -= count;
    }
    refillWanted.clear();
    if (wanted.size === 0) return;
    const claimed = await queue.refill({
      workerId: settings.workerId,
      now: Date.now(),
      leaseMs: settings.leaseMs,
      webhooks: wanted,
    });
    const perWebhook = take(claimed);
    for (const [id, count] of wanted) if ((perWebhook.get(id) ?? 0) < count) saturated.delete(id);
  }

  /** Sleeps until a wake-up, a refill, the next retry is due, or the poll interval passes. */
  async function idle(): Promise<void> {
    let delay = settings.pollIntervalMs;
    if (scanWanted) delay = Math.min(delay, Math.max(0, scanDeferredFor()));
    try {
      const next = await nextDue.get(lastScanAt);
      if (next !== undefined) delay = Math.max(0, Math.min(delay, next - Date.now()));
    } catch {
      // The poll interval still applies.
    }
    if (scanReady() || refillWanted.size > 0 || stopping) return;
    sleepUntil = Date.now() + delay;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        scanWanted = true;
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
      let more = false;
      try {
        if (scanReady()) {
          scanWanted = false;
          more = await scan();
        }
        if (refillWanted.size > 0 && !stopping) await refill();
      } catch (error) {
        logger.error({ err: error }, 'claiming deliveries failed; retrying after the poll interval');
        scanFloor = undefined;
        await new Promise((resolve) => setTimeout(resolve, settings.pollIntervalMs));
        scanWanted = true;
        continue;
      }
      if (more) scanWanted = true;
      else if (!scanReady() && refillWanted.size === 0) await idle();
    }
  }

  const loopDone = loop();

  return {
    held: () => [...inFlight.keys(), ...unrecorded, ...lines.waitingIds()],
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
      for (const id of cut) abandoned.add(id);
      if (cut.length > 0) {
        logger.warn({ deliveries: cut.length }, 'releasing attempts still in flight at shutdown');
        await queue.release(cut, settings.workerId).catch(() => {});
      }
      await writer.drain();
    },
  };
}
