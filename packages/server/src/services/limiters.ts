// In-memory limiters of one process: a failure throttle (N failures per sliding window, for sign-in)
// and a fixed-window request counter (per user of the API). Both bound their memory.

export interface FailureThrottle {
  /** Milliseconds until the key may try again; 0 when it is not locked. */
  retryAfterMs(key: string, now?: number): number;
  recordFailure(key: string, now?: number): void;
  reset(key: string): void;
}

const MAX_KEYS = 100_000;

/** Locks a key once it has `max` failures within the last `windowMs`. */
export function createFailureThrottle(options: { max: number; windowMs: number }): FailureThrottle {
  const failures = new Map<string, number[]>();

  const recent = (key: string, now: number): number[] => {
    const times = failures.get(key);
    if (!times) return [];
    const kept = times.filter((t) => t > now - options.windowMs);
    if (kept.length === 0) failures.delete(key);
    else if (kept.length !== times.length) failures.set(key, kept);
    return kept;
  };

  const prune = (now: number) => {
    for (const key of failures.keys()) recent(key, now);
    // Still full: forget the oldest keys (Map keeps insertion order).
    for (const key of failures.keys()) {
      if (failures.size < MAX_KEYS) break;
      failures.delete(key);
    }
  };

  return {
    retryAfterMs(key, now = Date.now()) {
      const times = recent(key, now);
      if (times.length < options.max) return 0;
      return times[times.length - options.max]! + options.windowMs - now;
    },
    recordFailure(key, now = Date.now()) {
      if (failures.size >= MAX_KEYS) prune(now);
      const times = recent(key, now);
      times.push(now);
      failures.set(key, times.slice(-options.max));
    },
    reset(key) {
      failures.delete(key);
    },
  };
}

export interface RequestLimiter {
  /** Counts one request; returns 0 when allowed, else milliseconds until the window ends. */
  hit(key: string, now?: number): number;
}

/** At most `limit` requests per key in each fixed window of `windowMs`. */
export function createRequestLimiter(options: { limit: number; windowMs: number }): RequestLimiter {
  let windowStart = 0;
  let counts = new Map<string, number>();
  return {
    hit(key, now = Date.now()) {
      if (now - windowStart >= options.windowMs) {
        windowStart = now - (now % options.windowMs);
        counts = new Map();
      }
      const count = (counts.get(key) ?? 0) + 1;
      if (counts.size < MAX_KEYS || counts.has(key)) counts.set(key, count);
      return count > options.limit ? windowStart + options.windowMs - now : 0;
    },
  };
}
