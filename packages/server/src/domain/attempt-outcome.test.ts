import { describe, expect, it } from 'vitest';
import { outcomeFromResponse } from './attempt-outcome.ts';

const response = (status: number, headers: Record<string, string> = {}) => ({
  status,
  headers,
  body: '',
  bodyEncoding: 'utf8' as const,
  truncated: false,
});

describe('attempt outcome', () => {
  it.each([
    [200, 'succeeded', undefined],
    [204, 'succeeded', undefined],
    [299, 'succeeded', undefined],
    [301, 'failed', 'redirect'],
    [302, 'failed', 'redirect'],
    [307, 'failed', 'redirect'],
    [308, 'failed', 'redirect'],
    [400, 'failed', 'http_status'],
    [410, 'failed', 'http_status'],
    [429, 'failed', 'http_status'],
    [500, 'failed', 'http_status'],
    [101, 'failed', 'http_status'],
  ])('status %i → %s %s', (status, outcome, error) => {
    const result = outcomeFromResponse(response(status), 12);
    expect(result.outcome).toBe(outcome);
    if (result.outcome === 'failed') expect(result.error).toBe(error);
    expect(result.durationMs).toBe(12);
  });

  it('names the redirect target without following it', () => {
    const result = outcomeFromResponse(response(302, { location: 'http://127.0.0.1:9/' }), 3);
    expect(result.outcome === 'failed' && result.message).toContain('http://127.0.0.1:9/');
  });
});
