import { describe, expect, it } from 'vitest';
import { createFailureThrottle, createRequestLimiter } from './limiters.ts';

describe('failure throttle', () => {
  const windowMs = 15 * 60_000;

  it('locks a key after max failures within the window, until the oldest counted one expires', () => {
    const throttle = createFailureThrottle({ max: 3, windowMs });
    const t0 = 1_000_000;
    throttle.recordFailure('a', t0);
    throttle.recordFailure('a', t0 + 1_000);
    expect(throttle.retryAfterMs('a', t0 + 2_000)).toBe(0);
    throttle.recordFailure('a', t0 + 2_000);
    expect(throttle.retryAfterMs('a', t0 + 2_000)).toBe(windowMs - 2_000);
    expect(throttle.retryAfterMs('a', t0 + windowMs - 1)).toBe(1);
    expect(throttle.retryAfterMs('a', t0 + windowMs)).toBe(0);
    expect(throttle.retryAfterMs('b', t0 + 2_000)).toBe(0);
  });

  it('forgets failures older than the window and on reset', () => {
    const throttle = createFailureThrottle({ max: 2, windowMs });
    throttle.recordFailure('a', 0);
    throttle.recordFailure('a', windowMs + 1);
    expect(throttle.retryAfterMs('a', windowMs + 1)).toBe(0);
    throttle.recordFailure('a', windowMs + 2);
    expect(throttle.retryAfterMs('a', windowMs + 2)).toBeGreaterThan(0);
    throttle.reset('a');
    expect(throttle.retryAfterMs('a', windowMs + 2)).toBe(0);
  });
});

describe('request limiter', () => {
  it.each([
    [1, 0],
    [5, 0],
    [6, 40_000],
    [7, 40_000],
  ])('request %i of a window that started 20 s ago waits %i ms', (n, waitMs) => {
    const limiter = createRequestLimiter({ limit: 5, windowMs: 60_000 });
    let last = -1;
    for (let i = 1; i <= n; i++) last = limiter.hit('k', 600_000 + 20_000);
    expect(last).toBe(waitMs);
  });

  it('counts keys separately and starts over in the next window', () => {
    const limiter = createRequestLimiter({ limit: 1, windowMs: 60_000 });
    expect(limiter.hit('a', 60_000)).toBe(0);
    expect(limiter.hit('a', 60_001)).toBe(59_999);
    expect(limiter.hit('b', 60_002)).toBe(0);
    expect(limiter.hit('a', 120_000)).toBe(0);
  });
});
