// Standard Webhooks signing: `webhook-id`, `webhook-timestamp` and `webhook-signature` headers,
// HMAC-SHA256 over "id.timestamp.body", one `v1,` signature per active secret (two during rotation).
import { createHmac } from 'node:crypto';
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

/** The three Standard Webhooks headers for one attempt; the timestamp is this attempt's time. */
export function signatureHeaders(
  secrets: SigningSecrets,
  id: string,
  body: string,
  now: number,
): { 'webhook-id': string; 'webhook-timestamp': string; 'webhook-signature': string } {
  const timestamp = Math.floor(now / 1000);
  const signature = activeSecrets(secrets, now)
    .map((secret) => sign(secret, id, timestamp, body))
    .join(' ');
  return { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signature };
}
