import { describe, expect, it } from 'vitest';
import { FAILURE_KINDS } from '../domain/failure-kind.ts';
import { RESPONSE_BUCKET_BOUNDS_MS } from '../domain/response-histogram.ts';
import { FAILURE_KIND_COLUMNS, RESPONSE_BUCKET_COLUMNS } from './stats-columns.ts';

describe('hourly stats columns', () => {
  it('name one column per response-time bound, in order', () => {
    expect(RESPONSE_BUCKET_COLUMNS).toEqual(
      RESPONSE_BUCKET_BOUNDS_MS.map((bound) => `response_le_${Number.isFinite(bound) ? bound : 'inf'}`),
    );
  });

  it('name one column per failure kind, in order', () => {
    expect(FAILURE_KIND_COLUMNS).toEqual(FAILURE_KINDS.map((kind) => `failed_${kind}`));
  });
});
