// The result of one delivery attempt as a value: succeeded, or failed with an error code. HTTP
// failures never throw; the worker records these values.

/** Why an attempt failed. */
export const ATTEMPT_ERRORS = [
  'http_status',
  'redirect',
  'timeout',
  'connection_refused',
  'connection_reset',
  'dns_error',
  'tls_error',
  'blocked_address',
  'network_error',
  /** Nothing was sent: the attempt could not be prepared (e.g. the signing secret is unreadable). */
  'internal_error',
] as const;
export type AttemptError = (typeof ATTEMPT_ERRORS)[number];

import type { BodyEncoding } from './response-body.ts';

/** What the receiver answered, kept for the attempt log (body cut at the read cap). */
export interface ResponseRecord {
  status: number;
  headers: Record<string, string>;
  /** The body in its stored form: text, or base64 of bytes that are not NUL-free UTF-8. */
  body: string;
  bodyEncoding: BodyEncoding;
  truncated: boolean;
}

export type AttemptOutcome =
  | { outcome: 'succeeded'; durationMs: number; response: ResponseRecord }
  | {
      outcome: 'failed';
      error: AttemptError;
      message: string;
      durationMs: number;
      /** Present when the receiver answered (http_status, redirect). */
      response?: ResponseRecord;
    };

export const isSuccessStatus = (status: number): boolean => status >= 200 && status <= 299;

/** The outcome of an attempt that got a response: 2xx succeeds, 3xx is a redirect (never followed), else failure. */
export function outcomeFromResponse(response: ResponseRecord, durationMs: number): AttemptOutcome {
  if (isSuccessStatus(response.status)) return { outcome: 'succeeded', durationMs, response };
  if (response.status >= 300 && response.status <= 399) {
    const location = response.headers['location'];
    return {
      outcome: 'failed',
      error: 'redirect',
      message: `HTTP ${response.status} redirect${location ? ` to ${location.slice(0, 200)}` : ''} (not followed)`,
      durationMs,
      response,
    };
  }
  return {
    outcome: 'failed',
    error: 'http_status',
    message: `HTTP ${response.status}`,
    durationMs,
    response,
  };
}
