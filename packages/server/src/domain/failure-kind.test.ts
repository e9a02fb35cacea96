import { describe, expect, it } from 'vitest';
import { ATTEMPT_ERRORS, type AttemptError, outcomeFromResponse } from './attempt-outcome.ts';
import { emptyFailuresByKind, FAILURE_KINDS, type FailureKind, failureKindOf } from './failure-kind.ts';

const failed = (error: AttemptError, status: number | null = null) =>
  failureKindOf({ outcome: 'failed', error, response_status: status });

describe('failure kinds', () => {
  it('are the eight kinds of the stats, each zero when empty', () => {
    expect(FAILURE_KINDS).toEqual([
      'timeout',
      'connection',
      'dns',
      'tls',
      'redirect',
      'client_error',
      'server_error',
      'blocked',
    ]);
    expect(emptyFailuresByKind()).toEqual(Object.fromEntries(FAILURE_KINDS.map((k) => [k, 0])));
  });

  it.each([
    ['timeout', null, 'timeout'],
    ['connection_refused', null, 'connection'],
    ['connection_reset', null, 'connection'],
    ['network_error', null, 'connection'],
    ['dns_error', null, 'dns'],
    ['tls_error', null, 'tls'],
    ['blocked_address', null, 'blocked'],
    ['redirect', 301, 'redirect'],
    ['redirect', 308, 'redirect'],
    ['http_status', 400, 'client_error'],
    ['http_status', 404, 'client_error'],
    ['http_status', 410, 'client_error'],
    ['http_status', 429, 'client_error'],
    ['http_status', 499, 'client_error'],
    ['http_status', 500, 'server_error'],
    ['http_status', 503, 'server_error'],
    ['http_status', 599, 'server_error'],
    ['http_status', 600, 'server_error'],
    ['http_status', 101, 'server_error'],
    ['http_status', 302, 'redirect'],
    ['internal_error', null, null],
    ['internal_error', 200, null],
  ] as [AttemptError, number | null, FailureKind | null][])(
    'counts %s (status %s) as %s',
    (error, status, kind) => {
      expect(failed(error, status)).toBe(kind);
    },
  );

  it('has a kind for every error the engine records except internal_error', () => {
    for (const error of ATTEMPT_ERRORS) {
      const kind = failed(error, error === 'http_status' || error === 'redirect' ? 500 : null);
      if (error === 'internal_error') expect(kind).toBeNull();
      else expect(FAILURE_KINDS).toContain(kind);
    }
  });

  it('counts the outcomes of answers by their status', () => {
    const response = (status: number) => ({
      status,
      headers: {},
      body: '',
      bodyEncoding: 'utf8' as const,
      truncated: false,
    });
    const kindOf = (status: number) => {
      const outcome = outcomeFromResponse(response(status), 10);
      return failureKindOf({
        outcome: outcome.outcome,
        error: outcome.outcome === 'failed' ? outcome.error : null,
        response_status: status,
      });
    };
    expect([200, 204, 301, 307, 404, 422, 500, 502].map(kindOf)).toEqual([
      null,
      null,
      'redirect',
      'redirect',
      'client_error',
      'client_error',
      'server_error',
      'server_error',
    ]);
  });

  it('never counts a success', () => {
    expect(failureKindOf({ outcome: 'succeeded', error: null, response_status: 200 })).toBeNull();
  });
});
