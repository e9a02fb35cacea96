import { describe, expect, it } from 'vitest';
import { failureHint, hintLink } from './failure-hints.ts';

const failed = (error: string, response_status: number | null = null) => ({
  outcome: 'failed' as const,
  error,
  response_status,
});

describe('failureHint', () => {
  it.each([
    ['redirect', 302, 'redirects', /never follows redirects/],
    ['http_status', 401, 'signature-rejected-401-or-403', /raw request body.*current signing secret/],
    ['http_status', 403, 'signature-rejected-401-or-403', /signature/],
    ['http_status', 410, 'gone-410', /stops retrying/],
    ['http_status', 429, 'rate-limited-429', /Retry-After/],
    ['http_status', 500, 'server-errors-5xx', /5xx/],
    ['http_status', 503, 'server-errors-5xx', /5xx/],
    ['http_status', 404, 'other-4xx', /path/],
    ['timeout', null, 'timeouts', /within 15 seconds/],
    ['tls_error', null, 'tls-errors', /certificate/],
    ['dns_error', null, 'dns-errors', /DNS/],
    ['connection_refused', null, 'connection-refused-or-reset', /Nothing listens/],
    ['connection_reset', null, 'connection-refused-or-reset', /Nothing listens/],
    ['blocked_address', null, 'blocked-addresses', /public addresses/],
    ['network_error', null, 'connection-refused-or-reset', /retries/],
  ])('%s (%s) → #%s', (error, status, anchor, text) => {
    const hint = failureHint(failed(error, status));
    expect(hint?.anchor).toBe(anchor);
    expect(hint?.text).toMatch(text);
    expect(hintLink(hint!)).toBe(`/help/webhooks#${anchor}`);
  });

  it('says nothing for a success or an error it has no advice for', () => {
    expect(failureHint({ outcome: 'succeeded', error: null, response_status: 200 })).toBeUndefined();
    expect(failureHint(failed('internal_error'))).toBeUndefined();
  });
});
