// Standard Webhooks signing and verification for receivers of Klang webhooks (node:crypto only).
// Misuse (no secret, a parsed body, headers missing) fails with a WebhookVerificationError reason.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { KlangEvent } from './events.ts';

export type VerificationFailure =
  | 'missing_header'
  | 'bad_signature'
  | 'timestamp_too_old'
  | 'timestamp_in_future'
  | 'bad_secret'
  | 'invalid_body'
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
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** True when `text` is base64 exactly as a decoder would re-encode it (no stray padding bits). */
const isCanonicalBase64 = (text: string): boolean =>
  BASE64.test(text) && Buffer.from(text, 'base64').toString('base64') === text;

function keyOf(secret: unknown): Buffer {
  if (typeof secret !== 'string' || secret.length === 0) {
    throw new WebhookVerificationError('bad_secret', 'The signing secret is missing or empty.');
  }
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  if (!BASE64.test(encoded)) {
    throw new WebhookVerificationError(
      'bad_secret',
      'The signing secret is not `whsec_` followed by base64.',
    );
  }
  const key = Buffer.from(encoded, 'base64');
  if (key.length < 16) throw new WebhookVerificationError('bad_secret', 'The signing secret is too short.');
  return key;
}

function keysOf(secret: unknown): Buffer[] {
  const keys = (Array.isArray(secret) ? secret : [secret]).map(keyOf);
  if (keys.length === 0) throw new WebhookVerificationError('bad_secret', 'No signing secret given.');
  return keys;
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

function toText(body: unknown): string {
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) {
    return Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  }
  throw new WebhookVerificationError(
    'invalid_body',
    'Pass the raw request body (a string or bytes, exactly as received), not parsed JSON.',
  );
}

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
  if (!Number.isSafeInteger(input.timestamp) || input.timestamp < 0) {
    throw new RangeError('timestamp must be whole, non-negative Unix seconds.');
  }
  return `v1,${sign(keyOf(input.secret), input.id, input.timestamp, toText(input.body))}`;
}

interface SignedHeaders {
  id: string;
  timestamp: string;
  signatures: string;
}

function signedHeaders(headers: HeadersLike): SignedHeaders {
  const found = headers && typeof headers === 'object';
  const id = found ? header(headers, 'webhook-id') : undefined;
  const timestamp = found ? header(headers, 'webhook-timestamp') : undefined;
  const signatures = found ? header(headers, 'webhook-signature') : undefined;
  if (!id || !timestamp || !signatures) {
    throw new WebhookVerificationError(
      'missing_header',
      'webhook-id, webhook-timestamp and webhook-signature are required.',
    );
  }
  return { id, timestamp, signatures };
}

function checkTimestamp(timestamp: string, options: VerifyOptions): void {
  const seconds = /^\d{1,15}$/.test(timestamp) ? Number(timestamp) : Number.NaN;
  if (!Number.isFinite(seconds))
    throw new WebhookVerificationError('bad_signature', 'webhook-timestamp is not a Unix time.');
  const tolerance = options.toleranceSeconds ?? 300;
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  if (now - seconds > tolerance)
    throw new WebhookVerificationError('timestamp_too_old', 'The message timestamp is too old.');
  if (seconds - now > tolerance)
    throw new WebhookVerificationError('timestamp_in_future', 'The message timestamp is in the future.');
}

/** True when one `v1,` entry of the space-separated header equals one of the expected digests. */
function anyMatches(signatures: string, expected: Buffer[]): boolean {
  return signatures.split(' ').some((entry) => {
    const [version, value] = entry.split(',', 2);
    if (version !== 'v1' || !value || !isCanonicalBase64(value)) return false;
    const given = Buffer.from(value, 'base64');
    return expected.some(
      (candidate) => candidate.length === given.length && timingSafeEqual(candidate, given),
    );
  });
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
  const keys = keysOf(secret);
  const body = toText(rawBody);
  const { id, timestamp, signatures } = signedHeaders(headers);
  checkTimestamp(timestamp, options);
  const expected = keys.map((key) => Buffer.from(sign(key, id, timestamp, body), 'base64'));
  if (!anyMatches(signatures, expected))
    throw new WebhookVerificationError('bad_signature', 'No signature matches the signing secret.');
  try {
    return JSON.parse(body) as KlangEvent;
  } catch {
    throw new WebhookVerificationError('invalid_payload', 'The signed body is not JSON.');
  }
}
