// The hourly rollup's response-time bucket and failure-kind columns, in the order of the domain's
// RESPONSE_BUCKET_BOUNDS_MS and FAILURE_KINDS (stats-columns.test.ts keeps them in step).

/** One column per response-time bucket: responses that took at most that many ms. */
export const RESPONSE_BUCKET_COLUMNS = [
  'response_le_5',
  'response_le_10',
  'response_le_25',
  'response_le_50',
  'response_le_100',
  'response_le_250',
  'response_le_500',
  'response_le_1000',
  'response_le_2500',
  'response_le_5000',
  'response_le_10000',
  'response_le_inf',
] as const;
export type ResponseBucketColumn = (typeof RESPONSE_BUCKET_COLUMNS)[number];

/** One column per failure kind: failed attempts of that kind. */
export const FAILURE_KIND_COLUMNS = [
  'failed_timeout',
  'failed_connection',
  'failed_dns',
  'failed_tls',
  'failed_redirect',
  'failed_client_error',
  'failed_server_error',
  'failed_blocked',
] as const;
export type FailureKindColumn = (typeof FAILURE_KIND_COLUMNS)[number];

/** The counters of an hourly row: an upsert adds them to the stored ones. */
export const STATS_COUNTER_COLUMNS = [
  'succeeded',
  'failed',
  'response_ms_sum',
  'response_count',
  ...RESPONSE_BUCKET_COLUMNS,
  ...FAILURE_KIND_COLUMNS,
] as const;

/** Every column an hourly upsert writes, in the order the queue stores pass them. */
export const STATS_COLUMNS = ['webhook_id', 'hour', ...STATS_COUNTER_COLUMNS] as const;
export type StatsColumn = (typeof STATS_COLUMNS)[number];
