// Turns a dispatched attempt into what the queue records: the attempt row, the delivery's next
// state (retry, succeeded, failed) from the retry policy, and the time of the next retry.
import type { ClaimedDelivery } from '../db/repos/queue-repo.ts';
import type { AttemptResult } from '../db/repos/queue-results.ts';
import type { AttemptOutcome } from '../domain/attempt-outcome.ts';
import { newId } from '../domain/ids.ts';
import { decideRetry } from '../domain/retry-policy.ts';

export interface ResultPolicy {
  retrySchedule: readonly number[];
}

export function attemptResult(
  delivery: ClaimedDelivery,
  attempt: { outcome: AttemptOutcome; requestHeaders: Record<string, string>; startedAt: number },
  policy: ResultPolicy,
  now: number,
): AttemptResult {
  const { outcome } = attempt;
  const number = delivery.attempts + 1;
  let deliveryStatus: AttemptResult['deliveryStatus'] = 'succeeded';
  let statusReason: string | null = null;
  let nextAttemptAt: number | null = null;
  if (outcome.outcome === 'failed') {
    const decision = decideRetry({ attempts: number, outcome, schedule: policy.retrySchedule, now });
    if (decision.kind === 'retry') {
      deliveryStatus = 'pending';
      nextAttemptAt = now + decision.delayMs;
    } else {
      deliveryStatus = 'failed';
      statusReason = decision.reason;
    }
  }
  const response = outcome.response;
  return {
    kind: 'attempt',
    deliveryId: delivery.id,
    webhookId: delivery.webhookId,
    deliveryStatus,
    statusReason,
    nextAttemptAt,
    attempt: {
      id: newId.attempt(),
      delivery_id: delivery.id,
      webhook_id: delivery.webhookId,
      event_id: delivery.eventId,
      event_type: delivery.eventType,
      attempt: number,
      test: delivery.test ? 1 : 0,
      outcome: outcome.outcome,
      error: outcome.outcome === 'failed' ? outcome.error : null,
      error_message: outcome.outcome === 'failed' ? outcome.message : null,
      response_status: response?.status ?? null,
      duration_ms: outcome.durationMs,
      request_headers: JSON.stringify(attempt.requestHeaders),
      response_headers: response ? JSON.stringify(response.headers) : null,
      response_body: response ? response.body : null,
      response_truncated: response?.truncated ? 1 : 0,
      next_retry_at: nextAttemptAt,
      created_at: attempt.startedAt,
    },
  };
}
