// The guarded HTTP client of the delivery path (undici, never fetch): a keep-alive pool per origin,
// a connect timeout and a TOTAL deadline per attempt, no redirects, a capped response read
// (http-exchange.ts), and the address policy enforced on the address actually connected to.
// send() never throws.
import type { LookupAddress } from 'node:dns';
import { performance } from 'node:perf_hooks';
import { Agent } from 'undici';
import type { Config } from '../config/load-config.ts';
import { checkAddress, isIpLiteral } from '../domain/address-policy.ts';
import {
  type AttemptError,
  type AttemptOutcome,
  outcomeFromResponse,
  type ResponseRecord,
} from '../domain/attempt-outcome.ts';
import { storedBody } from '../domain/response-body.ts';
import { firstBlocked, type LookupFn, systemLookup } from './destination-guard.ts';
import { type Collected, exchange } from './http-exchange.ts';
import { type Signing, signatureOf } from './signing.ts';

export const MAX_RESPONSE_BYTES = 64 * 1024;

export interface HttpClientOptions {
  connectTimeoutMs: number;
  /** Deadline of the whole attempt: connect, send, headers and body. */
  totalTimeoutMs: number;
  /** Lift the address policy (development and tests). */
  allowPrivate: boolean;
  /** DNS resolution; injectable for tests (rebinding). */
  lookup?: LookupFn;
  /** Extra trusted CA certificates (PEM), e.g. a test receiver's self-signed certificate. */
  ca?: string | string[];
  maxResponseBytes?: number;
}

export interface OutgoingRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** A signed attempt's outcome and the `webhook-signature` it was sent with. */
export interface SignedOutcome {
  outcome: AttemptOutcome;
  signature: string;
}

export interface HttpClient {
  /** Sends one POST; resolves to the outcome value, never rejects. */
  send(request: OutgoingRequest): Promise<AttemptOutcome>;
  /** Signs the body (Standard Webhooks, `webhook-signature` added to the headers), then sends it. */
  sendSigned(request: OutgoingRequest, signing: Signing): Promise<SignedOutcome>;
  close(): Promise<void>;
}

class BlockedAddressError extends Error {
  readonly code = 'EBLOCKEDADDRESS';
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/** A `net.connect` lookup hook that resolves through `lookup` and refuses any blocked address. */
function guardedLookup(lookup: LookupFn, allowPrivate: boolean) {
  return (
    hostname: string,
    options: { all?: boolean; family?: number | string },
    callback: LookupCallback,
  ) => {
    lookup(hostname).then(
      (found) => {
        const blocked = allowPrivate ? undefined : firstBlocked(found.map((entry) => entry.address));
        if (blocked) {
          callback(
            new BlockedAddressError(`${hostname} resolved to a blocked address (${blocked.reason})`),
            [],
          );
          return;
        }
        const family = options.family === 6 || options.family === 'IPv6' ? 6 : options.family === 4 ? 4 : 0;
        const usable = family ? found.filter((entry) => entry.family === family) : found;
        if (usable.length === 0) {
          const error: NodeJS.ErrnoException = new Error(`no address for ${hostname}`);
          error.code = 'ENOTFOUND';
          callback(error, []);
          return;
        }
        if (options.all) callback(null, usable);
        else callback(null, usable[0]!.address, usable[0]!.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, []),
    );
  };
}

/** The client settings the configuration asks for (deadlines and the private-target escape hatch). */
export function httpClientOptions(config: Config): HttpClientOptions {
  return {
    connectTimeoutMs: config.connectTimeoutMs,
    totalTimeoutMs: config.deliveryTimeoutMs,
    allowPrivate: config.allowPrivateTargets,
  };
}

export function createHttpClient(options: HttpClientOptions): HttpClient {
  const maxBytes = options.maxResponseBytes ?? MAX_RESPONSE_BYTES;
  const agent = new Agent({
    connect: {
      timeout: options.connectTimeoutMs,
      lookup: guardedLookup(options.lookup ?? systemLookup, options.allowPrivate),
      ...(options.ca ? { ca: options.ca } : {}),
    },
    headersTimeout: options.totalTimeoutMs,
    bodyTimeout: options.totalTimeoutMs,
    keepAliveTimeout: 4_000,
    keepAliveMaxTimeout: 60_000,
  });

  async function send(request: OutgoingRequest): Promise<AttemptOutcome> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return failed('network_error', 'the webhook URL cannot be parsed', elapsed());
    }
    // A URL saved as http:// while private targets were allowed is not sent once they are not.
    if (!options.allowPrivate && url.protocol !== 'https:') {
      return failed('blocked_address', `${url.protocol} URLs are not allowed; use https`, elapsed());
    }
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (!options.allowPrivate && isIpLiteral(host)) {
      const verdict = checkAddress(host);
      if (!verdict.allowed) return failed('blocked_address', `${host} is ${verdict.reason}`, elapsed());
    }
    const answer = await exchange(
      agent,
      {
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        headers: request.headers,
        body: request.body,
      },
      { maxBytes, deadlineMs: options.totalTimeoutMs },
    );
    const { response, truncated } = answer;
    if (answer.error === undefined && response)
      return outcomeFromResponse(record(response, truncated), elapsed());
    const [code, message] = classify(answer.error, options);
    const outcome = failed(code, message, elapsed());
    return response ? { ...outcome, response: record(response, true) } : outcome;
  }

  return {
    send,
    async sendSigned(request, signing) {
      const signature = signatureOf(signing, request.body);
      const headers = { ...request.headers, 'webhook-signature': signature };
      return { outcome: await send({ ...request, headers }), signature };
    },
    async close() {
      await agent.destroy();
    },
  };
}

const failed = (error: AttemptError, message: string, durationMs: number): AttemptOutcome => ({
  outcome: 'failed',
  error,
  message,
  durationMs,
});

function record(response: Collected, truncated: boolean): ResponseRecord {
  const body = storedBody(Buffer.concat(response.chunks), truncated);
  return {
    status: response.status,
    headers: response.headers,
    body: body.text,
    bodyEncoding: body.encoding,
    truncated,
  };
}

const TLS_CODES = /^(ERR_TLS_|ERR_SSL_|EPROTO$|CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|HOSTNAME_MISMATCH)/;

/** Maps a thrown network error (or its cause) to an attempt error code and a short message. */
function classify(error: unknown, options: HttpClientOptions): [AttemptError, string] {
  const chain: { code?: string; message?: string; name?: string }[] = [];
  let current: unknown = error;
  while (current && typeof current === 'object' && chain.length < 5) {
    chain.push(current as { code?: string; message?: string });
    current = (current as { cause?: unknown }).cause;
  }
  const codes = chain.map((e) => e.code ?? '');
  const has = (test: (code: string) => boolean) => codes.some(test);
  const first = chain[0]?.message ?? String(error);
  if (has((c) => c === 'EBLOCKEDADDRESS')) return ['blocked_address', first];
  if (has((c) => c === 'EDEADLINE') || chain.some((e) => e.name === 'AbortError'))
    return ['timeout', `no complete answer within ${options.totalTimeoutMs} ms`];
  if (has((c) => c === 'UND_ERR_CONNECT_TIMEOUT' || c === 'ETIMEDOUT'))
    return ['timeout', `could not connect within ${options.connectTimeoutMs} ms`];
  if (has((c) => c === 'UND_ERR_HEADERS_TIMEOUT' || c === 'UND_ERR_BODY_TIMEOUT'))
    return ['timeout', `no complete answer within ${options.totalTimeoutMs} ms`];
  if (has((c) => c === 'ECONNREFUSED')) return ['connection_refused', 'connection refused'];
  if (has((c) => ['ENOTFOUND', 'EAI_AGAIN', 'ENODATA', 'EAI_FAIL', 'EAI_NONAME'].includes(c)))
    return ['dns_error', 'the host name could not be resolved'];
  if (has((c) => TLS_CODES.test(c))) return ['tls_error', `TLS failed: ${first}`];
  if (has((c) => ['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED'].includes(c)))
    return ['connection_reset', 'the connection was closed before a complete answer'];
  return ['network_error', first.slice(0, 300)];
}
