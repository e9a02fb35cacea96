// Standard Webhooks signing and verification for receivers of Klang webhooks (node:crypto only).
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { KlangEvent } from './events.ts';

export type VerificationFailure =
  | 'missing_header'
  | 'bad_signature'
  | 'timestamp_too_old'
  | 'timestamp_in_future'
  | 'bad_secret'
  | 'invalid_payload';

export class WebhookVerificationError extends Error {
  constructor(
    readonly reason: VerificationFailure,
    message: string,
  ) {
    super(message);
    this.name = 'WebhookVerificationError';
  }
}

/** A plain object (any header case), a fetch `Headers`, or Node's `IncomingHttpHeaders`. */
export type HeadersLike =
  | { get(name: string): string | null }
  | Record<string, string | string[] | undefined>;

export interface VerifyOptions {
  /** Accepted clock difference in seconds, both ways (default 300). */
  toleranceSeconds?: number;
  /** Current time, for tests. */
  now?: Date;
}

const SECRET_PREFIX = 'whsec_';

function keyOf(secret: string): Buffer {
  if (typeof secret !== 'string' || secret.length === 0) {
    throw new WebhookVerificationError('bad_secret', 'The signing secret is empty.');
  }
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) {
    throw new WebhookVerificationError(
      'bad_secret',
      'The signing secret is not `whsec_` followed by base64.',
    );
  }
  const key = Buffer.from(encoded, 'base64');
  if (key.length < 16) throw new WebhookVerificationError('bad_secret', 'The signing secret is too short.');
  return key;
}

function header(headers: HeadersLike, name: string): string | undefined {
  if (typeof (headers as { get?: unknown }).get === 'function') {
    return (headers as { get(name: string): string | null }).get(name) ?? undefined;
  }
  for (const [key, value] of Object.entries(headers as Record<string, string | string[] | undefined>)) {
    if (key.toLowerCase() === name) return Array.isArray(value) ? value.join(' ') : value;
  }
  return undefined;
}

const toText = (body: string | Uint8Array): string =>
  typeof body === 'string'
    ? body
    : Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');

function sign(key: Buffer, id: string, timestamp: number | string, body: string): string {
  return createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
}

/** The `webhook-signature` value for one secret: `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`. */
export function signWebhook(input: {
  id: string;
  timestamp: number;
  body: string | Uint8Array;
  secret: string;
}): string {
  return `v1,${sign(keyOf(input.secret), input.id, input.timestamp, toText(input.body))}`;
}

/**
 * Checks the Standard Webhooks headers against one secret or several (during a rotation) and
 * returns the parsed event. Throws WebhookVerificationError with a `reason` otherwise.
 * Pass the raw body exactly as received — re-serialised JSON will not verify.
 */
export function verifyWebhook(
  rawBody: string | Uint8Array,
  headers: HeadersLike,
  secret: string | readonly string[],
  options: VerifyOptions = {},
): KlangEvent {
  const keys = (typeof secret === 'string' ? [secret] : secret).map(keyOf);
  if (keys.length === 0) throw new WebhookVerificationError('bad_secret', 'No signing secret given.');
  const id = header(headers, 'webhook-id');
  const timestamp = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  if (!id || !timestamp || !signatures) {
    throw new WebhookVerificationError(
      'missing_header',
      'webhook-id, webhook-timestamp and webhook-signature are required.',
    );
  }
  const seconds = /^\d{1,15}$/.test(timestamp) ? Number(timestamp) : Number.NaN;
  if (!Number.isFinite(seconds))
    throw new WebhookVerificationError('bad_signature', 'webhook-timestamp is not a Unix time.');
  const tolerance = options.toleranceSeconds ?? 300;
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  if (now - seconds > tolerance)
    throw new WebhookVerificationError('timestamp_too_old', 'The message timestamp is too old.');
  if (seconds - now > tolerance)
    throw new WebhookVerificationError('timestamp_in_future', 'The message timestamp is in the future.');

  const body = toText(rawBody);
  const expected = keys.map((key) => Buffer.from(sign(key, id, timestamp, body), 'base64'));
  const matches = signatures.split(' ').some((entry) => {
    const [version, value] = entry.split(',', 2);
    if (version !== 'v1' || !value) return false;
    const given = Buffer.from(value, 'base64');
    return expected.some(
      (candidate) => candidate.length === given.length && timingSafeEqual(candidate, given),
    );
  });
  if (!matches)
    throw new WebhookVerificationError('bad_signature', 'No signature matches the signing secret.');
  try {
    return JSON.parse(body) as KlangEvent;
  } catch {
    throw new WebhookVerificationError('invalid_payload', 'The signed body is not JSON.');
  }
}
