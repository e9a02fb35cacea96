// Maps every failure to CONTRACT.md's error shape: AppError as is, schema failures as 422
// validation_failed with a detail per field, parser failures as 400/413/415, an unreachable database as
// 503 with Retry-After, anything else as a bare 500.
// (Unknown routes and wrong methods: route-table.ts; refused HTTP framing: client-errors.ts.)
import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { isDatabaseUnavailable } from '../../db/unavailable.ts';
import { AppError, type ErrorCode, type ErrorDetail } from '../../domain/errors.ts';

const FASTIFY_CODES: Record<string, [ErrorCode, string]> = {
  FST_ERR_CTP_BODY_TOO_LARGE: ['payload_too_large', 'The request body is larger than this route accepts.'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: ['unsupported_media_type', 'Send the body as application/json.'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: ['bad_request', 'The content-length header does not match the body.'],
  FST_ERR_CTP_EMPTY_JSON_BODY: ['invalid_json', 'The body is empty; send a JSON object.'],
  FST_ERR_CTP_INVALID_JSON_BODY: ['invalid_json', 'The body is not valid JSON.'],
};

export function errorBody(code: ErrorCode, message: string, details?: ErrorDetail[]) {
  return { error: { code, message, ...(details && details.length > 0 ? { details } : {}) } };
}

/** One zod issue as fastify-type-provider-zod reports it. */
interface ValidationIssue {
  keyword?: string;
  instancePath?: string;
  message?: string;
  params?: { keys?: string[] };
}

function zodDetails(error: FastifyError): ErrorDetail[] {
  const issues = (error.validation ?? []) as ValidationIssue[];
  const context = error.validationContext === 'body' ? '' : (error.validationContext ?? '');
  const fieldOf = (path: readonly string[]) =>
    [context, ...path].filter(Boolean).join('.') || (error.validationContext ?? 'body');
  return issues.flatMap((issue) => {
    const path = issue.instancePath?.split('/').filter(Boolean) ?? [];
    // Name each unknown key as its own field rather than the object that holds it.
    if (issue.keyword === 'unrecognized_keys' && issue.params?.keys?.length) {
      return issue.params.keys.map((key) => ({
        field: fieldOf([...path, key]),
        message: 'is not a known field',
      }));
    }
    return [{ field: fieldOf(path), message: issue.message ?? 'is invalid' }];
  });
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof AppError) {
      if (error.headers) void reply.headers(error.headers);
      return reply.status(error.status).send(errorBody(error.code, error.message, error.details));
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      const details = zodDetails(error);
      const summary = details.map((d) => `${d.field}: ${d.message}`).join('; ');
      return reply.status(422).send(errorBody('validation_failed', `Invalid request. ${summary}`, details));
    }
    const known = error.code ? FASTIFY_CODES[error.code] : undefined;
    if (known?.[0] === 'payload_too_large') {
      const limit = request.routeOptions.bodyLimit;
      const size = limit >= 1024 * 1024 ? `${limit / (1024 * 1024)} MiB` : `${limit / 1024} KiB`;
      return reply.status(413).send(errorBody(known[0], `The request body is larger than ${size}.`));
    }
    if (known) {
      return reply
        .status(known[0] === 'unsupported_media_type' ? 415 : 400)
        .send(errorBody(known[0], known[1]));
    }
    if (error instanceof SyntaxError || (error.statusCode === 400 && !error.code?.startsWith('FST_ERR_'))) {
      return reply
        .status(400)
        .send(errorBody('invalid_json', `The body is not valid JSON: ${error.message}`));
    }
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      return reply.status(error.statusCode).send(errorBody('bad_request', error.message));
    }
    // The database is down, restarting, full or read-only: a condition to retry, not a bug.
    if (isDatabaseUnavailable(error)) {
      request.log.warn({ err: error }, 'database unavailable; answering 503');
      return reply
        .status(503)
        .header('retry-after', '5')
        .send(
          errorBody('service_unavailable', 'The service cannot reach its database right now; retry shortly.'),
        );
    }
    request.log.error({ err: error }, 'unexpected error');
    return reply.status(500).send(errorBody('internal_error', 'Something went wrong on our side.'));
  });
}
