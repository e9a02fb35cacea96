// Prefixed, time-sortable ids (ULID body in lowercase Crockford base32) and their branded types.
import { randomBytes } from 'node:crypto';

declare const brand: unique symbol;
type Branded<T, B extends string> = T & { readonly [brand]: B };

export type UserId = Branded<string, 'UserId'>;
export type TeamId = Branded<string, 'TeamId'>;
export type ConversationId = Branded<string, 'ConversationId'>;
export type WebhookId = Branded<string, 'WebhookId'>;
export type EventId = Branded<string, 'EventId'>;
export type DeliveryId = Branded<string, 'DeliveryId'>;
export type AttemptId = Branded<string, 'AttemptId'>;
export type TokenId = Branded<string, 'TokenId'>;
export type SessionId = Branded<string, 'SessionId'>;

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
let lastTime = -1;
let lastTimeText = '';
let lastRandom: number[] = [];

/** Random bytes drawn in blocks: one system call per 256 new milliseconds, not per id. */
const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let poolAt = POOL_BYTES;

function encodeTime(ms: number): string {
  let out = '';
  let rest = ms;
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[rest % 32] + out;
    rest = Math.floor(rest / 32);
  }
  return out;
}

/** Next 16 random base32 digits; within one millisecond they increase, keeping ids sortable. */
function nextRandom(now: number): number[] {
  if (now === lastTime) {
    for (let i = 15; i >= 0; i--) {
      if (lastRandom[i]! < 31) {
        lastRandom[i]!++;
        return lastRandom;
      }
      lastRandom[i] = 0;
    }
  }
  lastTime = now;
  lastTimeText = encodeTime(now);
  if (poolAt + 16 > POOL_BYTES) {
    pool = randomBytes(POOL_BYTES);
    poolAt = 0;
  }
  lastRandom = Array.from(pool.subarray(poolAt, poolAt + 16), (byte) => byte & 31);
  poolAt += 16;
  lastRandom[0] = lastRandom[0]! & 15; // leave headroom for increments
  return lastRandom;
}

/** A ULID in lowercase: 10 characters of time, 16 of randomness. */
export function ulid(now = Date.now()): string {
  const digits = nextRandom(Math.max(now, lastTime));
  let out = lastTimeText;
  for (let i = 0; i < 16; i++) out += ALPHABET[digits[i]!];
  return out;
}

export const newId = {
  user: () => `usr_${ulid()}` as UserId,
  team: () => `team_${ulid()}` as TeamId,
  webhook: () => `wh_${ulid()}` as WebhookId,
  event: () => `evt_${ulid()}` as EventId,
  testEvent: () => `evt_test_${ulid()}` as EventId,
  delivery: () => `dlv_${ulid()}` as DeliveryId,
  attempt: () => `att_${ulid()}` as AttemptId,
  token: () => `tok_${ulid()}` as TokenId,
  session: () => `ses_${ulid()}` as SessionId,
};

/** Host-provided ids (users, teams, conversations): 1–128 visible ASCII characters, no dots. */
export const HOST_ID_PATTERN = /^[A-Za-z0-9_\-:@]{1,128}$/;
