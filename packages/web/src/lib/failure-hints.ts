// A plain-language hint for a failed attempt, from its error code and status: what went wrong and
// what to change, each linked to the matching troubleshooting section of the receiver docs.

/** Where the receiver docs (docs/webhooks.md) are served; sections are linked by anchor. */
export const RECEIVER_DOCS_URL = '/help/webhooks';

export interface FailureHint {
  title: string;
  text: string;
  /** Anchor of the troubleshooting section in the receiver docs. */
  anchor: string;
}

interface FailedAttempt {
  outcome: 'succeeded' | 'failed';
  error: string | null;
  response_status: number | null;
}

const HINTS = {
  redirect: {
    title: 'Your endpoint answered with a redirect',
    text: 'Klang never follows redirects: save the final URL the redirect points to as the webhook URL.',
    anchor: 'redirects',
  },
  rejected: {
    title: 'Your endpoint rejected the request',
    text: 'A 401 or 403 usually means your signature check failed: verify the raw request body, not parsed JSON, with the current signing secret.',
    anchor: 'signature-rejected-401-or-403',
  },
  gone: {
    title: 'Your endpoint answered 410 Gone',
    text: 'Klang stops retrying an event that gets 410; answer 2xx if the endpoint should receive it.',
    anchor: 'gone-410',
  },
  throttled: {
    title: 'Your endpoint is rate limiting Klang',
    text: 'Klang retries later and honours Retry-After; raise the limit for Klang or answer 2xx and queue the work.',
    anchor: 'rate-limited-429',
  },
  serverError: {
    title: 'Your endpoint failed with a server error',
    text: 'Your server answered 5xx: check its logs for this event id; Klang retries with backoff.',
    anchor: 'server-errors-5xx',
  },
  clientError: {
    title: 'Your endpoint refused the request',
    text: 'Your server answered 4xx: make sure the path is right and that it accepts a JSON POST.',
    anchor: 'other-4xx',
  },
  timeout: {
    title: 'Your endpoint did not answer in time',
    text: 'Answer 2xx within 15 seconds and do the work afterwards, for example from a queue.',
    anchor: 'timeouts',
  },
  tls: {
    title: 'The TLS handshake failed',
    text: 'Serve a valid certificate for this host name, with its full chain, from a public certificate authority.',
    anchor: 'tls-errors',
  },
  dns: {
    title: 'The host name could not be resolved',
    text: 'Check the spelling of the host and that its DNS records are public.',
    anchor: 'dns-errors',
  },
  refused: {
    title: 'Your server refused the connection',
    text: 'Nothing listens on that host and port: check that the server runs and accepts HTTPS from the internet.',
    anchor: 'connection-refused-or-reset',
  },
  blocked: {
    title: 'The address is not public',
    text: 'Klang only delivers to public addresses; this host resolved to a private, loopback or reserved one.',
    anchor: 'blocked-addresses',
  },
  network: {
    title: 'The connection failed',
    text: 'The network between Klang and your server failed; Klang retries with backoff.',
    anchor: 'connection-refused-or-reset',
  },
} satisfies Record<string, FailureHint>;

function hintForStatus(status: number | null): FailureHint {
  if (status === 401 || status === 403) return HINTS.rejected;
  if (status === 410) return HINTS.gone;
  if (status === 429) return HINTS.throttled;
  if (status !== null && status >= 500) return HINTS.serverError;
  return HINTS.clientError;
}

/** The hint for a failed attempt, or undefined when it succeeded or nothing useful can be said. */
export function failureHint(attempt: FailedAttempt): FailureHint | undefined {
  if (attempt.outcome !== 'failed') return undefined;
  switch (attempt.error) {
    case 'http_status':
      return hintForStatus(attempt.response_status);
    case 'redirect':
      return HINTS.redirect;
    case 'timeout':
      return HINTS.timeout;
    case 'tls_error':
      return HINTS.tls;
    case 'dns_error':
      return HINTS.dns;
    case 'connection_refused':
    case 'connection_reset':
      return HINTS.refused;
    case 'blocked_address':
      return HINTS.blocked;
    case 'network_error':
      return HINTS.network;
    default:
      return undefined;
  }
}

/** The link of a hint's section in the receiver docs. */
export const hintLink = (hint: FailureHint): string => `${RECEIVER_DOCS_URL}#${hint.anchor}`;
