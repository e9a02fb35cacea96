// The fixed response-time buckets of the hourly rollups, and percentiles read back from their
// counts (linear interpolation inside a bucket, as Prometheus' histogram_quantile does). Pure.

/**
 * Upper bounds (ms, inclusive) of the response-time buckets, in order; the last one is open.
 * Bucket i counts responses with bounds[i - 1] < duration ≤ bounds[i] (bucket 0 from 0 ms).
 * The hourly rollup stores one column per bound: appending a bound needs a migration.
 */
export const RESPONSE_BUCKET_BOUNDS_MS = [
  5,
  10,
  25,
  50,
  100,
  250,
  500,
  1_000,
  2_500,
  5_000,
  10_000,
  Number.POSITIVE_INFINITY,
] as const;

export const RESPONSE_BUCKET_COUNT = RESPONSE_BUCKET_BOUNDS_MS.length;

/** The bucket a response of `durationMs` falls into. */
export function responseBucketIndex(durationMs: number): number {
  const index = RESPONSE_BUCKET_BOUNDS_MS.findIndex((bound) => durationMs <= bound);
  return index === -1 ? RESPONSE_BUCKET_COUNT - 1 : index;
}

/** Counts of zero responses per bucket. */
export const emptyResponseBuckets = (): number[] => new Array<number>(RESPONSE_BUCKET_COUNT).fill(0);

/**
 * The `quantile` (0 < q ≤ 1) of the responses counted in `counts` (one count per bucket), in whole
 * ms, interpolated linearly between the bucket's lower and upper bound; when it falls in the open
 * last bucket, that bucket's lower bound (the largest finite bound). Null when nothing was counted.
 * `meanMs`, the responses' mean, makes a single response exact: every percentile of one response is
 * that response.
 */
export function responsePercentile(
  counts: readonly number[],
  quantile: number,
  meanMs?: number,
): number | null {
  const total = counts.reduce((sum, count) => sum + count, 0);
  if (total === 0) return null;
  if (total === 1 && meanMs !== undefined) return Math.round(meanMs);
  const rank = quantile * total;
  let below = 0;
  for (let i = 0; i < RESPONSE_BUCKET_COUNT; i++) {
    const count = counts[i] ?? 0;
    if (count > 0 && below + count >= rank) {
      const lower = i === 0 ? 0 : RESPONSE_BUCKET_BOUNDS_MS[i - 1]!;
      const upper = RESPONSE_BUCKET_BOUNDS_MS[i]!;
      if (upper === Number.POSITIVE_INFINITY) return lower;
      return Math.round(lower + ((upper - lower) * (rank - below)) / count);
    }
    below += count;
  }
  return RESPONSE_BUCKET_BOUNDS_MS[RESPONSE_BUCKET_COUNT - 2]!;
}
