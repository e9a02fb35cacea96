// The dispatcher/settler: runs one claimed delivery from dispatch to a durable record — the attempt
// and the delivery's next state, a cancellation, or the lease handed back — and frees its slot when
// the next attempt may go (at once after a success, after the record otherwise).

import type { AttemptResult } from '../db/queue-store/types.ts';
import type { ClaimedDelivery, QueueResult } from '../db/repos/queue-repo.ts';
import type { Logger } from '../logger.ts';
import type { ContextFreshness } from './context-freshness.ts';
import type { DispatchResult } from './dispatch.ts';
import type { EndpointLimits } from './endpoint-limits.ts';
import type { ResultWriter } from './result-writer.ts';
import { attemptResult, type ResultPolicy } from './results.ts';

export type AttemptDispatched = Extract<DispatchResult, { kind: 'attempt' }>;

export interface DispatcherDeps {
  settings: ResultPolicy & { workerConcurrency: number };
  /** One attempt; `recheck` reads the webhook's context again instead of trusting the claim's. */
  dispatch(delivery: ClaimedDelivery, recheck: boolean): Promise<DispatchResult>;
  writer: ResultWriter<QueueResult>;
  /** Gives deliveries back to the queue untouched. */
  release(ids: string[]): Promise<void>;
  limits: EndpointLimits;
  freshness: ContextFreshness;
  logger: Logger;
  /** The delivery no longer holds a slot. Called once per delivery. */
  onFree(delivery: ClaimedDelivery): void;
  /** A retry was recorded for this time. */
  onRetry(at: number): void;
  /** After each attempt is recorded (metrics). */
  onAttempt?: (result: AttemptDispatched, recorded: AttemptResult) => void;
  now?: () => number;
}

export interface Dispatcher {
  run(delivery: ClaimedDelivery): Promise<void>;
  /** Their results are no longer recorded (released at shutdown). */
  abandon(ids: readonly string[]): void;
  /** Sent successfully, result not yet written (still held: the lease is renewed). */
  unrecorded(): string[];
}

const limitSignal = (result: AttemptDispatched) =>
  result.outcome.outcome === 'succeeded'
    ? 'succeeded'
    : result.outcome.error === 'timeout'
      ? 'timeout'
      : 'other';

export function createDispatcher(deps: DispatcherDeps): Dispatcher {
  const { settings, logger, freshness } = deps;
  const now = deps.now ?? Date.now;
  const abandoned = new Set<string>();
  const unrecorded = new Set<string>();

  async function settleAttempt(delivery: ClaimedDelivery, result: AttemptDispatched): Promise<void> {
    const recorded = attemptResult(delivery, result, settings, now());
    deps.limits.observe(delivery.webhookId, limitSignal(result));
    const ok = await deps.writer.submit(recorded);
    if (ok) deps.onAttempt?.(result, recorded);
    // A failure may have auto-paused the webhook: its next deliveries read their context again.
    if (result.outcome.outcome !== 'succeeded') freshness.changed(delivery.webhookId, now());
    const { outcome } = result;
    logger.debug(
      {
        webhookId: delivery.webhookId,
        deliveryId: delivery.id,
        eventId: delivery.eventId,
        attempt: recorded.attempt.attempt,
        outcome: outcome.outcome,
        error: outcome.outcome === 'failed' ? outcome.error : undefined,
        status: outcome.response?.status,
        durationMs: outcome.durationMs,
        next: recorded.deliveryStatus === 'pending' ? recorded.nextAttemptAt : recorded.deliveryStatus,
      },
      'delivery attempt',
    );
    if (ok && recorded.nextAttemptAt !== null) deps.onRetry(recorded.nextAttemptAt);
  }

  /** Records what dispatch returned; resolves once it is durable (or handed back to the queue). */
  async function settle(delivery: ClaimedDelivery, result: DispatchResult): Promise<void> {
    if (abandoned.has(delivery.id)) return;
    if (result.kind === 'attempt') return settleAttempt(delivery, result);
    if (result.kind === 'cancel') {
      await deps.writer.submit({ kind: 'cancel', deliveryId: delivery.id, reason: result.reason });
      freshness.changed(delivery.webhookId, now());
      logger.info(
        { webhookId: delivery.webhookId, deliveryId: delivery.id, reason: result.reason },
        'delivery cancelled',
      );
    } else if (result.kind === 'wait') {
      freshness.changed(delivery.webhookId, now());
      await deps.release([delivery.id]);
    }
  }

  return {
    /**
     * The webhook's slot is freed once the result is durable, so the next attempt sees any auto-pause
     * it caused; a success cannot cause one, so its slot is freed as soon as the answer is in — for at
     * most `workerConcurrency` unwritten successes, which bounds what a crash can leave unrecorded.
     */
    async run(delivery) {
      let freed = false;
      const free = () => {
        if (freed) return;
        freed = true;
        deps.onFree(delivery);
      };
      try {
        const result = await deps.dispatch(delivery, freshness.stale(delivery, now()));
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
    },
    abandon(ids) {
      for (const id of ids) abandoned.add(id);
    },
    unrecorded: () => [...unrecorded],
  };
}
