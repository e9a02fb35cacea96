import { describe, expect, it } from 'vitest';
import {
  emptyResponseBuckets,
  RESPONSE_BUCKET_BOUNDS_MS,
  RESPONSE_BUCKET_COUNT,
  responseBucketIndex,
  responsePercentile,
} from './response-histogram.ts';

/** Counts with `n` responses in the bucket whose upper bound is `bound`, for each [bound, n]. */
function counts(...entries: [number, number][]): number[] {
  const result = emptyResponseBuckets();
  for (const [bound, n] of entries) result[RESPONSE_BUCKET_BOUNDS_MS.indexOf(bound as never)]! += n;
  return result;
}

describe('response-time buckets', () => {
  it('has increasing bounds ending with an open bucket', () => {
    expect(RESPONSE_BUCKET_COUNT).toBe(12);
    for (let i = 1; i < RESPONSE_BUCKET_COUNT; i++) {
      expect(RESPONSE_BUCKET_BOUNDS_MS[i]!).toBeGreaterThan(RESPONSE_BUCKET_BOUNDS_MS[i - 1]!);
    }
    expect(RESPONSE_BUCKET_BOUNDS_MS.at(-1)).toBe(Number.POSITIVE_INFINITY);
  });

  it.each([
    [0, 5],
    [5, 5],
    [6, 10],
    [10, 10],
    [11, 25],
    [49, 50],
    [50, 50],
    [51, 100],
    [250, 250],
    [999, 1_000],
    [1_001, 2_500],
    [5_000, 5_000],
    [10_000, 10_000],
    [10_001, Number.POSITIVE_INFINITY],
    [3_600_000, Number.POSITIVE_INFINITY],
  ])('puts a response of %i ms in the bucket up to %d ms', (duration, bound) => {
    expect(RESPONSE_BUCKET_BOUNDS_MS[responseBucketIndex(duration)]).toBe(bound);
  });
});

describe('response percentiles', () => {
  it('is null without responses', () => {
    expect(responsePercentile(emptyResponseBuckets(), 0.5)).toBeNull();
    expect(responsePercentile([], 0.95)).toBeNull();
  });

  it.each([
    // one bucket: linear from its lower to its upper bound
    [counts([100, 10]), 0.5, 75],
    [counts([100, 10]), 0.95, 98],
    [counts([100, 10]), 1, 100],
    // the first bucket starts at 0 ms
    [counts([5, 4]), 0.5, 3],
    // the rank falls in the second occupied bucket
    [counts([10, 50], [250, 50]), 0.5, 10],
    [counts([10, 50], [250, 50]), 0.6, 130],
    [counts([10, 90], [1_000, 10]), 0.95, 750],
    // empty buckets in between are skipped
    [counts([5, 1], [5_000, 1]), 0.95, 4_750],
    // the open bucket answers its lower bound
    [counts([Number.POSITIVE_INFINITY, 3]), 0.5, 10_000],
    [counts([50, 99], [Number.POSITIVE_INFINITY, 1]), 0.995, 10_000],
  ])('reads %j at q=%d as %i ms', (histogram, q, expected) => {
    expect(responsePercentile(histogram, q)).toBe(expected);
  });

  it('answers a single response exactly from the mean, and ignores the mean for more', () => {
    expect(responsePercentile(counts([250, 1]), 0.5, 158)).toBe(158);
    expect(responsePercentile(counts([250, 1]), 0.95, 158.4)).toBe(158);
    expect(responsePercentile(counts([250, 1]), 0.5)).toBe(175);
    expect(responsePercentile(counts([250, 2]), 0.5, 158)).toBe(175);
  });
});
