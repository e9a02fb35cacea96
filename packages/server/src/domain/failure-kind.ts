// The kinds failed attempts are counted by in the hourly rollups and the stats, and which kind each
// failure the engine records is. Pure.
import type { AttemptError } from './attempt-outcome.ts';

export const FAILURE_KINDS = [
  'timeout',
  'connection',
  'dns',
  'tls',
  'redirect',
  'client_error',
  'server_error',
  'blocked',
] as const;
export type FailureKind = (typeof FAILURE_KINDS)[number];

const BY_ERROR: Record<Exclude<AttemptError, 'http_status'>, FailureKind | null> = {
  redirect: 'redirect',
  timeout: 'timeout',
  connection_refused: 'connection',
  connection_reset: 'connection',
  network_error: 'connection',
  dns_error: 'dns',
  tls_error: 'tls',
  blocked_address: 'blocked',
  // The attempt failed on our side (nothing sent, or the answer could not be stored): no kind.
  internal_error: null,
};

/** The kind of an answer that is not 2xx: 3xx redirect, 4xx client error, anything else server error. */
export function failureKindOfStatus(status: number): FailureKind {
  if (status >= 300 && status <= 399) return 'redirect';
  if (status >= 400 && status <= 499) return 'client_error';
  return 'server_error';
}

export interface CountedAttempt {
  outcome: 'succeeded' | 'failed';
  error: string | null;
  response_status: number | null;
}

/**
 * The kind a failed attempt is counted under; null for a success and for a failure of the service
 * itself (`internal_error`), which counts as failed but under no kind.
 */
export function failureKindOf(attempt: CountedAttempt): FailureKind | null {
  if (attempt.outcome !== 'failed') return null;
  if (attempt.error === 'http_status') {
    return attempt.response_status === null ? 'server_error' : failureKindOfStatus(attempt.response_status);
  }
  if (attempt.error !== null && Object.hasOwn(BY_ERROR, attempt.error)) {
    return BY_ERROR[attempt.error as keyof typeof BY_ERROR];
  }
  // A code outside ATTEMPT_ERRORS (never written today): by the answer when there was one.
  return attempt.response_status === null ? 'connection' : failureKindOfStatus(attempt.response_status);
}

/** Zero failures of every kind. */
export const emptyFailuresByKind = (): Record<FailureKind, number> =>
  Object.fromEntries(FAILURE_KINDS.map((kind) => [kind, 0])) as Record<FailureKind, number>;
