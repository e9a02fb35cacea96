// Which sign-in attempts are refused before the password is checked. Failures count per account and
// address, per account and per address; the account and address limits bind only clients that are not
// known-good (no recent successful sign-in of that account from that address), so a guessing attack
// on an account or from a shared address never locks out the people who normally sign in there.
import { createFailureThrottle } from './limiters.ts';

export const SIGN_IN_MAX_FAILURES = 10;
export const SIGN_IN_WINDOW_MS = 15 * 60_000;
/** How long a successful sign-in makes its account+address pair known-good. */
export const KNOWN_CLIENT_MS = 30 * 24 * 3_600_000;
const MAX_KNOWN_CLIENTS = 100_000;

export interface SignInThrottle {
  /** Milliseconds until `account` may try again from `address`; 0 when it may try now. */
  retryAfterMs(account: string, address: string, now: number): number;
  recordFailure(account: string, address: string, now: number): void;
  recordSuccess(account: string, address: string, now: number): void;
}

export function createSignInThrottle(
  options: { max: number; windowMs: number; knownClientMs: number } = {
    max: SIGN_IN_MAX_FAILURES,
    windowMs: SIGN_IN_WINDOW_MS,
    knownClientMs: KNOWN_CLIENT_MS,
  },
): SignInThrottle {
  const pairs = createFailureThrottle(options);
  const accounts = createFailureThrottle(options);
  const addresses = createFailureThrottle(options);
  /** Time of the last successful sign-in per account+address, oldest first. */
  const known = new Map<string, number>();
  const pairKey = (account: string, address: string) => `${account}\n${address}`;

  const isKnown = (key: string, now: number) => {
    const at = known.get(key);
    return at !== undefined && now - at < options.knownClientMs;
  };

  return {
    retryAfterMs(account, address, now) {
      const key = pairKey(account, address);
      const own = pairs.retryAfterMs(key, now);
      if (isKnown(key, now)) return own;
      return Math.max(own, accounts.retryAfterMs(account, now), addresses.retryAfterMs(address, now));
    },
    recordFailure(account, address, now) {
      pairs.recordFailure(pairKey(account, address), now);
      accounts.recordFailure(account, now);
      addresses.recordFailure(address, now);
    },
    recordSuccess(account, address, now) {
      const key = pairKey(account, address);
      pairs.reset(key);
      accounts.reset(account);
      known.delete(key);
      known.set(key, now);
      // Forget the oldest pairs first (Map keeps insertion order).
      for (const oldest of known.keys()) {
        if (known.size <= MAX_KNOWN_CLIENTS) break;
        known.delete(oldest);
      }
    },
  };
}
