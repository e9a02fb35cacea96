// The time source of the services and the HTTP limits: the system clock in production, a clock moved by
// hand in tests (so expiry and throttle windows are tested without waiting).

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
