// What each code of the error catalog means, and docs/errors.md rendered from it (`npm run docs`;
// a test fails when the committed file is stale).
import { ERRORS, type ErrorCode } from './errors.ts';

export const ERROR_MEANINGS: Record<ErrorCode, string> = {
  invalid_json: 'The body is not valid JSON (or is empty where a JSON object is required).',
  invalid_encoding: 'The body is not valid UTF-8.',
  bad_request: 'The request itself is malformed: its URL, framing, headers or content-length.',
  unauthorized: 'No credential, or an unknown, revoked or expired API token, session or ingest token.',
  invalid_credentials: 'Sign-in with an unknown email or a wrong password.',
  forbidden: 'The credential is valid but may not do this.',
  plan_required: 'Webhooks and test events need the Pro or Team plan.',
  csrf_required: 'A cookie-authenticated POST, PATCH, PUT or DELETE without the right `x-csrf-token` header.',
  not_found: 'No resource has this id (also when it exists but belongs to someone else).',
  conversation_not_found: 'The event names a conversation the host API never created.',
  webhook_not_found: 'There is no webhook with this id in your account.',
  attempt_not_found: 'There is no attempt with this id on this webhook.',
  delivery_not_found: 'There is no delivery with this id on this webhook.',
  token_not_found: 'There is no API token with this id in your account.',
  route_not_found: 'No route has this path.',
  method_not_allowed: 'The path exists but not with this method; the `Allow` header lists the ones it has.',
  request_timeout: 'The request did not arrive in time.',
  conflict:
    'The resource is in a state that forbids this now, such as resending while an attempt is in flight.',
  idempotency_conflict: 'An `idempotency-key` was reused with a different body.',
  webhook_limit_reached: 'The account already has the most webhooks one account may have.',
  webhook_paused: 'The webhook is paused; resume it first.',
  email_taken: 'Another user already has this email address.',
  token_limit_reached: 'The account already has the most API tokens one account may have.',
  payload_too_large: 'The body is larger than 64 KiB (4 MiB on POST /internal/v1/events/batch).',
  unsupported_media_type: 'The body is not `application/json` in UTF-8.',
  validation_failed: 'A field is missing or invalid; `details` names each field with the reason.',
  headers_too_large: 'The request headers are larger than the server accepts.',
  unknown_event_type: 'The event type is not in the catalog (GET /api/v1/event-types).',
  rate_limited: 'Too many requests (or sign-in failures, or test events); wait for `Retry-After` seconds.',
  internal_error: 'A fault on the server side; it is logged. Never the answer to bad input.',
  service_unavailable: 'The database cannot be reached right now; retry after `Retry-After` seconds.',
};

export function renderErrorDocs(): string {
  const rows = (Object.keys(ERRORS) as ErrorCode[])
    .sort((a, b) => ERRORS[a] - ERRORS[b])
    .map((code) => `| \`${code}\` | ${ERRORS[code]} | ${ERROR_MEANINGS[code]} |`);
  return [
    '# Error codes',
    '',
    '<!-- Generated from packages/server/src/domain/error-docs.ts by `npm run docs`; do not edit. -->',
    '',
    'Every error answer of the API has the shape',
    '`{ "error": { "code": "…", "message": "…", "details": [{ "field": "…", "message": "…" }]? } }`.',
    'Branch on `code` (the message is for people and may change); the OpenAPI document lists these',
    'codes as the enum of `Error.error.code`.',
    '',
    '| Code | HTTP status | Meaning |',
    '|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}
