// Turns a dispatched attempt into what the queue records: the attempt row (in a form every database
// stores), the delivery's next state from the retry policy, and the time of the next retry; and the
// failed attempt recorded instead when a result cannot be written.
import type { AttemptResult, ClaimedDelivery, QueueResult } from '../db/repos/queue-repo.ts';
import type { AttemptOutcome } from '../domain/attempt-outcome.ts';
import { newId } from '../domain/ids.ts';
import { storableText } from '../domain/response-body.ts';
import { decideRetry } from '../domain/retry-policy.ts';

export interface ResultPolicy {
  retrySchedule: readonly number[];
}

export function attemptResult(
  delivery: ClaimedDelivery,
  attempt: { outcome: AttemptOutcome; signature: string | null; startedAt: number },
  policy: ResultPolicy,
  now: number,
): AttemptResult {
  const { outcome } = attempt;
  const number = delivery.attempts + 1;
  const { deliveryStatus, statusReason, nextAttemptAt } = nextState(number, outcome, policy, now);
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
      error_message: outcome.outcome === 'failed' ? storableText(outcome.message) : null,
      response_status: response?.status ?? null,
      duration_ms: outcome.durationMs,
      // The other request headers follow from the row (domain/request-headers.ts).
      request_headers: '{}',
      request_signature: attempt.signature,
      // JSON escapes NUL and lone surrogates, so any header value is storable text.
      response_headers: response ? JSON.stringify(response.headers) : null,
      response_body: response ? response.body : null,
      response_body_encoding: response?.bodyEncoding ?? 'utf8',
      response_truncated: response?.truncated ? 1 : 0,
      next_retry_at: nextAttemptAt,
      created_at: attempt.startedAt,
    },
  };
}

/** The delivery state an attempt leads to: succeeded, a retry at a time, or failed with a reason. */
function nextState(
  number: number,
  outcome: AttemptOutcome,
  policy: ResultPolicy,
  now: number,
): Pick<AttemptResult, 'deliveryStatus' | 'statusReason' | 'nextAttemptAt'> {
  if (outcome.outcome === 'succeeded')
    return { deliveryStatus: 'succeeded', statusReason: null, nextAttemptAt: null };
  const decision = decideRetry({ attempts: number, outcome, schedule: policy.retrySchedule, now });
  return decision.kind === 'retry'
    ? { deliveryStatus: 'pending', statusReason: null, nextAttemptAt: now + decision.delayMs }
    : { deliveryStatus: 'failed', statusReason: decision.reason, nextAttemptAt: null };
}

/**
 * What is recorded instead of an attempt result the database refused: a failed attempt of the same
 * delivery that keeps nothing the receiver sent, with the retry policy applied as to any failure.
 */
export function unrecordableResult(
  result: QueueResult,
  error: unknown,
  policy: ResultPolicy,
  now: number,
): QueueResult | undefined {
  if (result.kind !== 'attempt') return undefined;
  const { attempt } = result;
  const why = error instanceof Error ? error.message : String(error);
  const answered = attempt.response_status === null ? '' : ` (HTTP ${attempt.response_status})`;
  const outcome: AttemptOutcome = {
    outcome: 'failed',
    error: 'internal_error',
    message: storableText(
      `The receiver's answer${answered} could not be stored (${why.slice(0, 200)}); it is not kept and the attempt counts as failed.`,
    ),
    durationMs: Number(attempt.duration_ms),
  };
  const state = nextState(Number(attempt.attempt), outcome, policy, now);
  return {
    ...result,
    ...state,
    attempt: {
      ...attempt,
      id: newId.attempt(),
      outcome: 'failed',
      error: outcome.error,
      error_message: outcome.message,
      response_headers: null,
      response_body: null,
      response_body_encoding: 'utf8',
      response_truncated: 0,
      next_retry_at: state.nextAttemptAt,
    },
  };
}
