// Standard Webhooks signing: `webhook-id`, `webhook-timestamp` and `webhook-signature` headers,
// HMAC-SHA256 over "id.timestamp.body", one `v1,` signature per active secret (two during rotation).
import { createHmac } from 'node:crypto';
import { timestampOf } from '../domain/request-headers.ts';
import { signingKeyBytes } from '../domain/secrets.ts';

export interface SigningSecrets {
  current: string;
  /** The secret before the last rotation, signing too until `previousExpiresAt`. */
  previous?: string | null;
  previousExpiresAt?: number | null;
}

/** Decoded HMAC keys by secret, so a secret is decoded once, not per signature (bounded). */
const keys = new Map<string, Buffer>();
const KEYS_MAX = 10_000;

function keyOf(secret: string): Buffer {
  let key = keys.get(secret);
  if (key === undefined) {
    if (keys.size >= KEYS_MAX) keys.clear();
    key = signingKeyBytes(secret);
    keys.set(secret, key);
  }
  return key;
}

/** One `v1,<base64>` signature of the content `id.timestamp.body`. */
export function sign(secret: string, id: string, timestamp: number, body: string): string {
  const digest = createHmac('sha256', keyOf(secret)).update(`${id}.${timestamp}.${body}`).digest();
  return `v1,${digest.toString('base64')}`;
}

/** The secrets that sign at `now`: the current one, plus the previous one during the rotation overlap. */
export function activeSecrets(secrets: SigningSecrets, now: number): string[] {
  const active = [secrets.current];
  if (secrets.previous && secrets.previousExpiresAt != null && secrets.previousExpiresAt > now) {
    active.push(secrets.previous);
  }
  return active;
}

/** What signs one attempt: the active secrets, the message id and the attempt's time in seconds. */
export interface Signing {
  secrets: readonly string[];
  id: string;
  timestamp: number;
}

/** The `webhook-signature` value: one `v1,` signature per secret, space-separated. */
export const signatureOf = (signing: Signing, body: string): string =>
  signing.secrets.map((secret) => sign(secret, signing.id, signing.timestamp, body)).join(' ');

/** How an attempt at `now` is signed: the secrets active then, the id, the time in seconds. */
export const signingAt = (secrets: SigningSecrets, id: string, now: number): Signing => ({
  secrets: activeSecrets(secrets, now),
  id,
  timestamp: timestampOf(now),
});

/** The three Standard Webhooks headers for one attempt; the timestamp is this attempt's time. */
export function signatureHeaders(
  secrets: SigningSecrets,
  id: string,
  body: string,
  now: number,
): { 'webhook-id': string; 'webhook-timestamp': string; 'webhook-signature': string } {
  const signing = signingAt(secrets, id, now);
  return {
    'webhook-id': id,
    'webhook-timestamp': String(signing.timestamp),
    'webhook-signature': signatureOf(signing, body),
  };
}
