// The delivery worker: claims due deliveries in batches under a lease, runs attempts with a global
// and a per-webhook cap (a slow endpoint never delays others), records results in group commits,
// renews its leases while it holds them, and stops gracefully within a deadline.
import type { QueueSignal } from '../db/queue-signal.ts';
import type { ClaimedDelivery, QueueRepo, QueueResult } from '../db/repos/queue-repo.ts';
import type { Logger } from '../logger.ts';
import { type DispatchDeps, type DispatchResult, dispatch } from './dispatch.ts';
import { createResultWriter } from './result-writer.ts';
import { attemptResult } from './results.ts';

export interface WorkerSettings {
  workerId: string;
  workerConcurrency: number;
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
  onAttempt?: (result: Extract<DispatchResult, { kind: 'attempt' }>) => void;
}

export interface Worker {
  /** Ids of the deliveries this worker holds (waiting or in flight). */
  held(): string[];
  /** Stops claiming; lets attempts in flight finish for `graceMs`, then releases the rest. */
  stop(graceMs: number): Promise<void>;
}

export function startWorker(deps: WorkerDeps): Worker {
  const { settings, queue, logger } = deps;
  const waiting = new Map<string, ClaimedDelivery[]>();
  const inFlight = new Map<string, ClaimedDelivery>();
  const activePerWebhook = new Map<string, number>();
  const abandoned = new Set<string>();
  /** Sent successfully, result not yet written: still held (lease renewal), no longer using a slot. */
  const unrecorded = new Set<string>();
  let waitingCount = 0;
  let stopping = false;
  let wake: (() => void) | undefined;
  let pendingWake = false;
  /** When the idle loop's current sleep ends (Infinity while it is not sleeping). */
  let sleepUntil = Number.POSITIVE_INFINITY;
  /** The `now` of the last claim: everything due by then was seen by it. */
  let lastClaimAt = Date.now();
  /** The last claim suggested more work than this worker had room for. */
  let backlogLikely = false;
  /** The last claim filled the worker's room (more may be due). */
  let lastClaimFull = false;
  /** Webhooks that may have more due than the last claim took (excluded, or at their prefetch). */
  const saturated = new Set<string>();
  const writer = createResultWriter<QueueResult>(
    (batch) =>
      queue.record(batch, {
        workerId: settings.workerId,
        now: Date.now(),
        autoPauseAfter: settings.autoPauseAfter,
        autoPauseReason: settings.autoPauseReason,
      }),
    logger,
  );

  const kick = () => {
    pendingWake = true;
    wake?.();
  };
  const unsubscribe = deps.signal.onWake(kick);

  const active = (webhookId: string) => activePerWebhook.get(webhookId) ?? 0;
  const backlog = (webhookId: string) => active(webhookId) + (waiting.get(webhookId)?.length ?? 0);
  /** Claimed ahead per webhook: up to twice its cap, so one claim feeds several completions. */
  const prefetch = settings.webhookConcurrency * 2;
  const room = () => settings.workerConcurrency - inFlight.size - waitingCount;
  /**
   * After a completion, claim again only when it is worth a query: the webhook's local backlog fell
   * below its cap, or half of the worker's capacity is free.
   */
  const needsRefill = (webhookId: string) =>
    (saturated.has(webhookId) && backlog(webhookId) === settings.webhookConcurrency - 1) ||
    (lastClaimFull &&
      room() >= Math.max(1, Math.floor(Math.min(settings.claimBatchSize, settings.workerConcurrency) / 2)));

  function pump(): void {
    for (const [webhookId, list] of waiting) {
      while (list.length > 0 && active(webhookId) < settings.webhookConcurrency) {
        if (inFlight.size >= settings.workerConcurrency || stopping) return;
        const delivery = list.shift()!;
        waitingCount--;
        void run(delivery);
      }
      if (list.length === 0) waiting.delete(webhookId);
    }
  }

  /** Records what dispatch returned; resolves once it is durable (or handed back to the queue). */
  async function settle(delivery: ClaimedDelivery, result: DispatchResult): Promise<void> {
    if (abandoned.has(delivery.id)) return;
    if (result.kind === 'attempt') {
      const recorded = attemptResult(delivery, result, settings, Date.now());
      const ok = await writer.submit(recorded);
      if (ok) deps.onAttempt?.(result);
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
      if (ok && recorded.nextAttemptAt !== null && recorded.nextAttemptAt < sleepUntil) kick();
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
    inFlight.set(delivery.id, delivery);
    activePerWebhook.set(delivery.webhookId, active(delivery.webhookId) + 1);
    let freed = false;
    const free = () => {
      if (freed) return;
      freed = true;
      inFlight.delete(delivery.id);
      const left = active(delivery.webhookId) - 1;
      if (left > 0) activePerWebhook.set(delivery.webhookId, left);
      else activePerWebhook.delete(delivery.webhookId);
      pump();
      if (backlogLikely && needsRefill(delivery.webhookId)) kick();
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

  async function claimOnce(): Promise<boolean> {
    const free = room();
    backlogLikely = true;
    if (free <= 0) return false;
    const limit = Math.min(free, settings.claimBatchSize);
    const exclude = [...new Set([...activePerWebhook.keys(), ...waiting.keys()])].filter(
      (id) => backlog(id) >= prefetch,
    );
    lastClaimAt = Date.now();
    const claimed = await queue.claim({
      workerId: settings.workerId,
      now: lastClaimAt,
      leaseMs: settings.leaseMs,
      limit,
      perWebhook: prefetch,
      excludeWebhookIds: exclude,
    });
    const perWebhook = new Map<string, number>();
    for (const delivery of claimed) {
      const list = waiting.get(delivery.webhookId) ?? [];
      list.push(delivery);
      waiting.set(delivery.webhookId, list);
      waitingCount++;
      perWebhook.set(delivery.webhookId, (perWebhook.get(delivery.webhookId) ?? 0) + 1);
    }
    pump();
    // More may be due than this claim returned: it was full, skipped saturated webhooks, or hit a per-webhook limit.
    saturated.clear();
    for (const id of exclude) saturated.add(id);
    for (const [id, count] of perWebhook) if (count >= prefetch) saturated.add(id);
    lastClaimFull = claimed.length === limit;
    backlogLikely = lastClaimFull || saturated.size > 0;
    return claimed.length === limit;
  }

  /** Sleeps until a wake-up, a slot frees up, the next retry is due, or the poll interval passes. */
  async function idle(): Promise<void> {
    let delay = settings.pollIntervalMs;
    try {
      // From the last claim's horizon: a retry that became due since then is not missed.
      const next = await queue.nextDueAt(lastClaimAt);
      if (next !== undefined) delay = Math.max(0, Math.min(delay, next - Date.now()));
    } catch {
      // The poll interval still applies.
    }
    if (pendingWake || stopping) return;
    sleepUntil = Date.now() + delay;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, delay);
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
      pendingWake = false;
      let more = false;
      try {
        more = await claimOnce();
      } catch (error) {
        logger.error({ err: error }, 'claiming deliveries failed; retrying after the poll interval');
        await new Promise((resolve) => setTimeout(resolve, settings.pollIntervalMs));
        continue;
      }
      if (!more) await idle();
    }
  }

  const loopDone = loop();

  return {
    held: () => [...inFlight.keys(), ...unrecorded, ...[...waiting.values()].flat().map((d) => d.id)],
    async stop(graceMs) {
      stopping = true;
      wake?.();
      unsubscribe();
      await loopDone;
      const unstarted = [...waiting.values()].flat().map((d) => d.id);
      waiting.clear();
      waitingCount = 0;
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
