// The only request body parser: JSON in UTF-8. Another charset is 415, bytes that are not UTF-8 are 400,
// an empty body is no body (DELETE, pause, resume), and __proto__ / constructor.prototype keys are 400.
import { isUtf8 } from 'node:buffer';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../domain/errors.ts';

/** The charset parameter of a content-type header (unquoted), or undefined when there is none. */
export function charsetOf(contentType: string | undefined): string | undefined {
  for (const parameter of (contentType ?? '').split(';').slice(1)) {
    const [name, ...value] = parameter.split('=');
    if (name?.trim().toLowerCase() === 'charset')
      return value
        .join('=')
        .trim()
        .replace(/^"(.*)"$/, '$1');
  }
  return undefined;
}

export function registerJsonBody(app: FastifyInstance): void {
  app.removeContentTypeParser('text/plain');
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const charset = charsetOf(request.headers['content-type']);
    if (charset !== undefined && !/^utf-?8$/i.test(charset)) {
      return done(
        new AppError(
          'unsupported_media_type',
          `JSON bodies must be UTF-8; send content-type application/json (charset ${JSON.stringify(charset)} is not accepted).`,
        ),
        undefined,
      );
    }
    const bytes = body as Buffer;
    if (bytes.length === 0) return done(null, undefined);
    if (!isUtf8(bytes)) {
      return done(
        new AppError('invalid_encoding', 'The body is not valid UTF-8; JSON must be sent as UTF-8.'),
        undefined,
      );
    }
    return parseJson(request, bytes.toString('utf8'), done);
  });
}
