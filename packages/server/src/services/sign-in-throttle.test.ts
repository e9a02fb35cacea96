import { describe, expect, it } from 'vitest';
import { createSignInThrottle } from './sign-in-throttle.ts';

describe('sign-in throttle', () => {
  const options = { max: 3, windowMs: 60_000, knownClientMs: 600_000 };
  const failTimes = (throttle: ReturnType<typeof createSignInThrottle>, account: string, address: string) => {
    for (let i = 0; i < 3; i++) throttle.recordFailure(account, address, 1_000 + i);
  };

  it('binds unknown clients by account and by address, known-good ones only by their own pair', () => {
    const throttle = createSignInThrottle(options);
    throttle.recordSuccess('alice', 'home', 0);
    failTimes(throttle, 'alice', 'attacker');
    expect(throttle.retryAfterMs('alice', 'elsewhere', 2_000)).toBeGreaterThan(0);
    expect(throttle.retryAfterMs('alice', 'home', 2_000)).toBe(0);
    failTimes(throttle, 'bob', 'office');
    expect(throttle.retryAfterMs('carol', 'office', 2_000)).toBeGreaterThan(0);
    failTimes(throttle, 'alice', 'home');
    expect(throttle.retryAfterMs('alice', 'home', 2_000)).toBeGreaterThan(0);
  });

  it('forgets a known-good client after knownClientMs', () => {
    const throttle = createSignInThrottle(options);
    throttle.recordSuccess('alice', 'home', 0);
    failTimes(throttle, 'alice', 'attacker');
    expect(throttle.retryAfterMs('alice', 'home', 2_000)).toBe(0);
    throttle.recordFailure('alice', 'x', 600_000);
    throttle.recordFailure('alice', 'y', 600_001);
    throttle.recordFailure('alice', 'z', 600_002);
    expect(throttle.retryAfterMs('alice', 'home', 600_003)).toBeGreaterThan(0);
  });
});
