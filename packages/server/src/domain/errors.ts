// The error catalog: every expected failure as a snake_case code with its HTTP status.

export const ERRORS = {
  invalid_json: 400,
  invalid_encoding: 400,
  bad_request: 400,
  unauthorized: 401,
  invalid_credentials: 401,
  forbidden: 403,
  plan_required: 403,
  csrf_required: 403,
  not_found: 404,
  conversation_not_found: 404,
  webhook_not_found: 404,
  attempt_not_found: 404,
  delivery_not_found: 404,
  token_not_found: 404,
  route_not_found: 404,
  method_not_allowed: 405,
  request_timeout: 408,
  conflict: 409,
  idempotency_conflict: 409,
  webhook_limit_reached: 409,
  webhook_paused: 409,
  email_taken: 409,
  token_limit_reached: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  validation_failed: 422,
  headers_too_large: 431,
  unknown_event_type: 422,
  rate_limited: 429,
  internal_error: 500,
  service_unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERRORS;

export interface ErrorDetail {
  field: string;
  message: string;
}

/** An expected failure, answered as `{ error: { code, message, details? } }`. */
export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: ErrorDetail[],
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'AppError';
    this.status = ERRORS[code];
  }
}

export const validationFailed = (field: string, message: string): AppError =>
  new AppError('validation_failed', `${field}: ${message}`, [{ field, message }]);

/** The `cursor` of a list query is not a next_cursor this list gave out. */
export const invalidCursor = (): AppError =>
  validationFailed('cursor', 'is not a cursor from a previous page (next_cursor)');

/** `?limit=&cursor=` of a list, as validated by the route. */
export interface PageQuery {
  cursor?: string | undefined;
  limit: number;
}
