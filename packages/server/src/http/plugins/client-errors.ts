// Answers for requests Node's HTTP parser refuses before Fastify sees them (malformed framing, headers
// over the size limit, a request that never finished), written to the socket in the error shape.
import { maxHeaderSize, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { ErrorCode } from '../../domain/errors.ts';
import { errorBody } from './errors.ts';

function answerFor(code: string | undefined): [number, ErrorCode, string] {
  if (code === 'HPE_HEADER_OVERFLOW') {
    return [431, 'headers_too_large', `The request headers are larger than ${maxHeaderSize / 1024} KiB.`];
  }
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return [408, 'request_timeout', 'The request did not arrive in time.'];
  }
  return [400, 'bad_request', 'The request is not valid HTTP/1.1 (request line, headers or framing).'];
}

/** Fastify's clientErrorHandler: one JSON answer, then the connection is closed. */
export function clientErrorHandler(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, message] = answerFor(error.code);
  const body = JSON.stringify(errorBody(code, message));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
        'Content-Type: application/json; charset=utf-8\r\n' +
        'X-Content-Type-Options: nosniff\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        'Connection: close\r\n\r\n' +
        body,
    );
  }
  socket.destroy(error);
}
