// When a failed delivery is tried again: the configured schedule with ±20 % jitter, Retry-After on
// 429/503 honoured within [delay, 2 × delay], 410 Gone ends retries. Pure.
import type { AttemptOutcome } from './attempt-outcome.ts';

export const JITTER = 0.2;

export type RetryDecision =
  | { kind: 'retry'; delayMs: number }
  | { kind: 'give_up'; reason: 'attempts_exhausted' | 'gone' };

export interface RetryInput {
  /** Attempts made so far, including the one that just failed (1 after the first attempt). */
  attempts: number;
  outcome: Extract<AttemptOutcome, { outcome: 'failed' }>;
  /** Delays before retries 1…n. */
  schedule: readonly number[];
  now: number;
  /** Uniform in [0, 1); injectable for tests. */
  random?: () => number;
}

/** Attempts a delivery gets at most: the first plus one per schedule entry. */
export const maxAttempts = (schedule: readonly number[]): number => 1 + schedule.length;

/**
 * Decides what follows a failed attempt. A delivery put back by a manual resend after its last
 * attempt gets that one attempt only: with `attempts` at or past the maximum, it gives up.
 */
export function decideRetry(input: RetryInput): RetryDecision {
  const status = input.outcome.response?.status;
  if (status === 410) return { kind: 'give_up', reason: 'gone' };
  if (input.attempts >= maxAttempts(input.schedule)) return { kind: 'give_up', reason: 'attempts_exhausted' };
  const base = input.schedule[Math.max(0, input.attempts - 1)]!;
  const retryAfter =
    status === 429 || status === 503
      ? parseRetryAfter(input.outcome.response?.headers['retry-after'], input.now)
      : undefined;
  if (retryAfter !== undefined) {
    return { kind: 'retry', delayMs: Math.min(Math.max(retryAfter, base), 2 * base) };
  }
  const random = input.random ?? Math.random;
  const factor = 1 + JITTER * (2 * random() - 1);
  return { kind: 'retry', delayMs: Math.max(0, Math.round(base * factor)) };
}

/** Parses a Retry-After value (delta seconds or an HTTP date) into milliseconds from now. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  if (!/[a-z]/i.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}
