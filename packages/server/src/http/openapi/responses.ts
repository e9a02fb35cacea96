// The answers every operation can give besides its own (a malformed URL, a wrong method, an
// unreachable database…), each error status described by the catalog codes it carries, and the
// response headers (Retry-After, Allow, Set-Cookie, idempotent-replayed) documented where they occur.
import { ERRORS, type ErrorCode } from '../../domain/errors.ts';

type Json = Record<string, unknown>;
export interface Operation extends Json {
  security?: unknown[];
  requestBody?: Json;
  responses: Record<string, Json>;
}

const header = (description: string, schema: Json = { type: 'string' }) => ({ description, schema });
const RETRY_AFTER = header('Seconds to wait before retrying', { type: 'integer', minimum: 1 });
const ERROR_HEADERS: Record<string, Json> = {
  405: { Allow: header('The methods this path accepts, such as `GET, PATCH, DELETE`') },
  429: { 'Retry-After': RETRY_AFTER },
  503: { 'Retry-After': RETRY_AFTER },
};

/** `invalid_json`, `bad_request`, … — the catalog codes answered with `status`. */
export const codesOf = (status: number): ErrorCode[] =>
  (Object.keys(ERRORS) as ErrorCode[]).filter((code) => ERRORS[code] === status);

const errorResponse = (status: number): Json => ({
  description: `Error: ${codesOf(status)
    .map((code) => `\`${code}\``)
    .join(', ')}`,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
  ...(ERROR_HEADERS[status] ? { headers: ERROR_HEADERS[status] } : {}),
});

const UNSAFE = new Set(['post', 'put', 'patch', 'delete']);

/** The statuses any request to this operation may be answered with, whatever the route does. */
function commonStatuses(method: string, path: string, operation: Operation): number[] {
  const statuses = [400, 405, 500, 503];
  const authenticated = (operation.security?.length ?? 0) > 0;
  if (authenticated) statuses.push(401);
  if (path.startsWith('/api/v1/')) statuses.push(429);
  if (authenticated && path.startsWith('/api/v1/') && UNSAFE.has(method)) statuses.push(403);
  if (UNSAFE.has(method)) statuses.push(413, 415);
  if (path.includes('{')) statuses.push(404);
  return statuses;
}

/** Adds the common error answers and describes every error answer by its codes. */
export function completeResponses(method: string, path: string, operation: Operation): void {
  const responses = operation.responses;
  for (const status of commonStatuses(method, path, operation)) responses[status] ??= {};
  for (const status of Object.keys(responses)) {
    if (Number(status) >= 400) responses[status] = errorResponse(Number(status));
  }
}

/** Response headers of particular operations. */
export function addResponseHeaders(method: string, path: string, operation: Operation): void {
  const success = Object.entries(operation.responses).find(([status]) => status.startsWith('2'))?.[1];
  if (!success) return;
  if (path === '/api/v1/session') {
    success.headers = {
      'Set-Cookie': header(
        method === 'post'
          ? 'The session (`klang_session`, HttpOnly) and CSRF (`klang_csrf`) cookies'
          : 'Clears the `klang_session` and `klang_csrf` cookies',
      ),
    };
  }
  if (path === '/internal/v1/events' && method === 'post') {
    success.headers = {
      'idempotent-replayed': header(
        '`true` when the idempotency-key was seen before: the answer is the stored event, nothing was fanned out again',
        { type: 'string', enum: ['true'] },
      ),
    };
  }
}
