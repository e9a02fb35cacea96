// One POST through undici's dispatch API: the answer's status, headers and the first `maxBytes` of
// its body, collected from the handler's callbacks (no body stream, no AbortSignal per attempt), and
// one timer for the total deadline, which aborts the exchange through undici's controller.
import type { Dispatcher } from 'undici';

export interface Collected {
  status: number;
  headers: Record<string, string>;
  chunks: Buffer[];
  size: number;
}

/** What came back: an answer (whole, or cut at the byte cap), or an error after part of one or none. */
export interface Exchange {
  response?: Collected;
  /** The body went past the cap and the rest was discarded. */
  truncated: boolean;
  error?: unknown;
}

export interface ExchangeRequest {
  origin: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

export class DeadlineError extends Error {
  readonly code = 'EDEADLINE';
}

/** A cut at the byte cap: the exchange ended on purpose, nothing failed. */
class CappedError extends Error {
  readonly code = 'ECAPPED';
}

/** Response headers as one lowercase string per name (repeated ones joined with ", "). */
export function flattenHeaders(
  headers: Record<string, string | string[] | undefined>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

export function exchange(
  dispatcher: Dispatcher,
  request: ExchangeRequest,
  limits: { maxBytes: number; deadlineMs: number },
): Promise<Exchange> {
  return new Promise<Exchange>((resolve) => {
    let controller: Dispatcher.DispatchController | undefined;
    let response: Collected | undefined;
    let settled = false;
    let cutBy: Error | undefined;
    const settle = (result: Exchange) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    /** Ends the exchange now; a request not yet on a socket is aborted as soon as it gets one. */
    const cut = (reason: Error, result: Exchange) => {
      cutBy = reason;
      settle(result);
      controller?.abort(reason);
    };
    const timer = setTimeout(() => {
      const error = new DeadlineError(`no complete answer within ${limits.deadlineMs} ms`);
      cut(error, { ...(response ? { response } : {}), truncated: false, error });
    }, limits.deadlineMs);

    const handler: Dispatcher.DispatchHandler = {
      onRequestStart(started) {
        controller = started;
        if (cutBy) started.abort(cutBy);
      },
      onResponseStart(_controller, statusCode, headers) {
        // 1xx answers are informational; the final one follows.
        if (statusCode < 200) return;
        response = { status: statusCode, headers: flattenHeaders(headers), chunks: [], size: 0 };
      },
      onResponseData(_controller, chunk) {
        if (!response || settled) return;
        const room = limits.maxBytes - response.size;
        if (chunk.length > room) {
          response.chunks.push(chunk.subarray(0, room));
          response.size += room;
          cut(new CappedError('response body past the cap'), { response, truncated: true });
          return;
        }
        response.chunks.push(chunk);
        response.size += chunk.length;
      },
      onResponseEnd() {
        settle({ ...(response ? { response } : {}), truncated: false });
      },
      onResponseError(_controller, error) {
        settle({ ...(response ? { response } : {}), truncated: false, error });
      },
    };
    try {
      dispatcher.dispatch(
        {
          origin: request.origin,
          path: request.path,
          method: 'POST',
          headers: request.headers,
          body: request.body,
        },
        handler,
      );
    } catch (error) {
      settle({ truncated: false, error });
    }
  });
}
