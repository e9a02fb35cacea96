import { describe, expect, it } from 'vitest';
import type { AttemptOutcome, ResponseRecord } from './attempt-outcome.ts';
import { decideRetry, maxAttempts, parseRetryAfter } from './retry-policy.ts';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DEFAULT = [5 * SECOND, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 5 * HOUR, 10 * HOUR];
const NOW = Date.parse('2026-11-26T10:00:00Z');

type Failed = Extract<AttemptOutcome, { outcome: 'failed' }>;

const response = (status: number, headers: Record<string, string> = {}): ResponseRecord => ({
  status,
  headers,
  body: '',
  bodyEncoding: 'utf8',
  truncated: false,
});
const httpFailure = (status: number, headers?: Record<string, string>): Failed => ({
  outcome: 'failed',
  error: 'http_status',
  message: `HTTP ${status}`,
  durationMs: 5,
  response: response(status, headers),
});
const timeout: Failed = { outcome: 'failed', error: 'timeout', message: 'timed out', durationMs: 15_000 };

describe('retry policy', () => {
  it('allows seven attempts with the default schedule', () => {
    expect(maxAttempts(DEFAULT)).toBe(7);
  });

  it.each([
    [1, 5 * SECOND],
    [2, 5 * MINUTE],
    [3, 30 * MINUTE],
    [4, 2 * HOUR],
    [5, 5 * HOUR],
    [6, 10 * HOUR],
  ])('after attempt %i waits the scheduled %i ms without jitter', (attempts, delay) => {
    const decision = decideRetry({
      attempts,
      outcome: timeout,
      schedule: DEFAULT,
      now: NOW,
      random: () => 0.5,
    });
    expect(decision).toEqual({ kind: 'retry', delayMs: delay });
  });

  it.each([
    [0, 0.8],
    [0.999999, 1.2],
    [0.25, 0.9],
  ])('applies jitter: random %f gives %f × delay', (random, factor) => {
    const decision = decideRetry({
      attempts: 2,
      outcome: timeout,
      schedule: DEFAULT,
      now: NOW,
      random: () => random,
    });
    expect(decision.kind).toBe('retry');
    if (decision.kind === 'retry') expect(decision.delayMs).toBeCloseTo(5 * MINUTE * factor, -2);
  });

  it('keeps jittered delays within ±20 %', () => {
    for (let i = 0; i < 1000; i++) {
      const decision = decideRetry({ attempts: 1, outcome: timeout, schedule: DEFAULT, now: NOW });
      if (decision.kind !== 'retry') throw new Error('expected a retry');
      expect(decision.delayMs).toBeGreaterThanOrEqual(4 * SECOND);
      expect(decision.delayMs).toBeLessThanOrEqual(6 * SECOND);
    }
  });

  it.each([7, 8, 20])(
    'gives up after attempt %i (also a manual resend past the last attempt)',
    (attempts) => {
      expect(decideRetry({ attempts, outcome: httpFailure(500), schedule: DEFAULT, now: NOW })).toEqual({
        kind: 'give_up',
        reason: 'attempts_exhausted',
      });
    },
  );

  it('ends retries on 410 Gone', () => {
    expect(decideRetry({ attempts: 1, outcome: httpFailure(410), schedule: DEFAULT, now: NOW })).toEqual({
      kind: 'give_up',
      reason: 'gone',
    });
  });

  it('gives up at once with an empty schedule', () => {
    expect(decideRetry({ attempts: 1, outcome: timeout, schedule: [], now: NOW }).kind).toBe('give_up');
  });

  it.each([
    [429, '120', 2, 5 * MINUTE, 'raised to the scheduled delay'],
    [429, '400', 2, 400 * SECOND, 'honoured inside the bounds'],
    [503, '3600', 2, 10 * MINUTE, 'capped at twice the delay'],
    [503, 'Thu, 26 Nov 2026 10:07:00 GMT', 2, 7 * MINUTE, 'as an HTTP date'],
    [429, '0', 1, 5 * SECOND, 'zero raised to the delay'],
  ])('status %i with Retry-After %s after attempt %i waits %i ms (%s)', (status, value, attempts, delay) => {
    const decision = decideRetry({
      attempts,
      outcome: httpFailure(status, { 'retry-after': value }),
      schedule: DEFAULT,
      now: NOW,
      random: () => 0,
    });
    expect(decision).toEqual({ kind: 'retry', delayMs: delay });
  });

  it('ignores Retry-After on other statuses', () => {
    const decision = decideRetry({
      attempts: 2,
      outcome: httpFailure(500, { 'retry-after': '3600' }),
      schedule: DEFAULT,
      now: NOW,
      random: () => 0.5,
    });
    expect(decision).toEqual({ kind: 'retry', delayMs: 5 * MINUTE });
  });

  it.each([
    ['120', 120_000],
    [' 5 ', 5_000],
    ['Thu, 26 Nov 2026 10:00:30 GMT', 30_000],
    ['Thu, 26 Nov 2026 09:00:00 GMT', 0],
    ['-1', undefined],
    ['1.5', undefined],
    ['soon', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('parses Retry-After %j as %j ms', (value, ms) => {
    expect(parseRetryAfter(value, NOW)).toBe(ms);
  });
});
