// A clock tests move by hand, passed to the container so session expiry and rate-limit windows are
// tested without waiting.
import type { Clock } from '../../src/domain/clock.ts';

export interface ManualClock extends Clock {
  advance(ms: number): void;
  set(ms: number): void;
}

/** Starts at `start` (default: the start of the current minute, now) and moves only when told. */
export function manualClock(start = Math.floor(Date.now() / 60_000) * 60_000): ManualClock {
  let now = start;
  return {
    now: () => now,
    advance(ms) {
      now += ms;
    },
    set(ms) {
      now = ms;
    },
  };
}
