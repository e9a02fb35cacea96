// Every configuration option: its env name, default, description and parser. The single source
// for config loading and for the generated docs/config.md.
import { formatDuration, parseDuration } from './durations.ts';

export interface Option<T> {
  env: string;
  aliases?: readonly string[];
  /** Default as written in the environment; undefined means "unset". */
  default: string | undefined;
  description: string;
  /** Human text of the allowed values, used in error messages and docs. */
  allowed: string;
  /** The value is a secret (or may hold one): error messages name the variable, never the value. */
  secret?: boolean;
  parse(raw: string): T | undefined;
}

const text =
  (min = 1): Option<string>['parse'] =>
  (raw) =>
    raw.length >= min ? raw : undefined;

const oneOf =
  <T extends string>(...values: T[]): Option<T>['parse'] =>
  (raw) =>
    (values as string[]).includes(raw) ? (raw as T) : undefined;

const bool: Option<boolean>['parse'] = (raw) => {
  const value = raw.toLowerCase();
  if (['true', '1', 'yes'].includes(value)) return true;
  if (['false', '0', 'no'].includes(value)) return false;
  return undefined;
};

const int =
  (min: number, max: number): Option<number>['parse'] =>
  (raw) => {
    if (!/^\d+$/.test(raw)) return undefined;
    const value = Number(raw);
    return value >= min && value <= max ? value : undefined;
  };

const duration =
  (minMs = 1): Option<number>['parse'] =>
  (raw) => {
    const ms = parseDuration(raw);
    return ms !== undefined && ms >= minMs ? ms : undefined;
  };

const schedule: Option<readonly number[]>['parse'] = (raw) => {
  if (raw.trim() === 'none') return [];
  const parts = raw.split(',').map((part) => parseDuration(part));
  if (parts.length > 20 || parts.some((ms) => ms === undefined || ms < 1)) return undefined;
  return parts as number[];
};

const databaseUrl: Option<string>['parse'] = (raw) =>
  /^sqlite:.+/.test(raw) || /^postgres(ql)?:\/\/.+/.test(raw) ? raw : undefined;

const secretKey: Option<Buffer>['parse'] = (raw) => {
  const value = raw.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(value) ? Buffer.from(value, 'hex') : Buffer.from(value, 'base64');
  return key.length === 32 ? key : undefined;
};

/** false, a hop count (true is one proxy), or proxy addresses/CIDRs, as Fastify's trustProxy takes them. */
const trustProxy: Option<false | number | string>['parse'] = (raw) => {
  const flag = bool(raw);
  if (flag !== undefined) return flag ? 1 : false;
  const hops = int(1, 10)(raw);
  if (hops !== undefined) return hops;
  const parts = raw.split(',').map((part) => part.trim());
  return parts.every((part) => /^[0-9a-fA-F:.]+(\/\d{1,3})?$/.test(part)) ? parts.join(',') : undefined;
};

const option = <T, D extends string | undefined>(
  spec: Option<T> & { default: D },
): Option<T> & { default: D } => spec;

export const configSchema = {
  databaseUrl: option({
    env: 'KLANG_DATABASE_URL',
    aliases: ['DATABASE_URL'],
    default: 'sqlite:./data/klang.db',
    description:
      'Database: `sqlite:<path>` (embedded, one process) or `postgres://…` (any number of processes).',
    allowed: 'sqlite:<path> or postgres://…',
    secret: true,
    parse: databaseUrl,
  }),
  databasePoolSize: option({
    env: 'KLANG_DATABASE_POOL_SIZE',
    default: undefined,
    description:
      "PostgreSQL only: connections in this process's pool (opened as needed; the worker's `LISTEN` connection is one more, outside the pool). Unset, it is sized for the role: `api` 10 (up to 3 publish groups at once, keyed publishes, user API requests); `worker` 4 + ⌈`KLANG_WORKER_CONCURRENCY` / 16⌉ — the claim loop, the result writer, housekeeping and lease releases each issue one statement at a time, plus a share for the send-time re-checks of waiting deliveries, one short query per turn of the event loop (12 at the default 128); `all` the sum of both.",
    allowed: 'an integer from 1 to 1000',
    parse: int(1, 1000),
  }),
  host: option({
    env: 'KLANG_HOST',
    default: '127.0.0.1',
    description: 'Address the HTTP server listens on.',
    allowed: 'a host name or IP address',
    parse: text(),
  }),
  port: option({
    env: 'KLANG_PORT',
    aliases: ['PORT'],
    default: '3000',
    description: 'Port the HTTP server listens on (0 picks a free port).',
    allowed: 'an integer from 0 to 65535',
    parse: int(0, 65_535),
  }),
  role: option({
    env: 'KLANG_ROLE',
    default: 'all',
    description: 'What this process runs: `api` (HTTP), `worker` (delivery) or `all` (both).',
    allowed: 'all, api or worker',
    parse: oneOf('all', 'api', 'worker'),
  }),
  dataDir: option({
    env: 'KLANG_DATA_DIR',
    default: './data',
    description: 'Directory for the embedded database and the generated secret key and ingest token.',
    allowed: 'a directory path',
    parse: text(),
  }),
  secretKey: option({
    env: 'KLANG_SECRET_KEY',
    default: undefined,
    description:
      '32-byte key (64 hex characters or base64) that encrypts signing secrets at rest. Generated into the data dir when unset on SQLite; required on PostgreSQL.',
    allowed: '32 bytes as 64 hex characters or base64',
    secret: true,
    parse: secretKey,
  }),
  ingestToken: option({
    env: 'KLANG_INGEST_TOKEN',
    default: undefined,
    description:
      'Bearer token the host product uses on `/internal/v1`. When unset on SQLite it is generated into the data dir and printed once, at the start that generated it; required on PostgreSQL. A supplied token is never printed.',
    allowed: 'any string of 16 or more characters',
    secret: true,
    parse: text(16),
  }),
  allowPrivateTargets: option({
    env: 'KLANG_ALLOW_PRIVATE_TARGETS',
    default: 'false',
    description: 'Allow `http://` URLs and private or loopback targets. For development and tests only.',
    allowed: 'true or false',
    parse: bool,
  }),
  retrySchedule: option({
    env: 'KLANG_RETRY_SCHEDULE',
    default: '5s,5m,30m,2h,5h,10h',
    description:
      'Delays before retries 1…n, comma-separated (units ms, s, m, h, d); ±20 % jitter is applied. `none`: no retries.',
    allowed: 'comma-separated durations such as 5s,5m,30m, or none',
    parse: schedule,
  }),
  autoPauseAfter: option({
    env: 'KLANG_AUTO_PAUSE_AFTER',
    default: '25',
    description: 'Consecutive failed attempts after which a webhook is paused automatically.',
    allowed: 'an integer from 1 to 100000',
    parse: int(1, 100_000),
  }),
  deliveryTimeoutMs: option({
    env: 'KLANG_DELIVERY_TIMEOUT',
    default: '15s',
    description: 'Total deadline of one delivery attempt, from connect to the last byte read.',
    allowed: 'a duration such as 15s',
    parse: duration(),
  }),
  connectTimeoutMs: option({
    env: 'KLANG_CONNECT_TIMEOUT',
    default: '5s',
    description: 'Deadline for opening the connection (TCP and TLS) of one attempt.',
    allowed: 'a duration such as 5s',
    parse: duration(),
  }),
  retentionMs: option({
    env: 'KLANG_RETENTION',
    default: '30d',
    description: 'How long events, deliveries and attempts are kept.',
    allowed: 'a duration such as 30d',
    parse: duration(60_000),
  }),
  logLevel: option({
    env: 'KLANG_LOG_LEVEL',
    default: 'info',
    description: 'Log level (pino).',
    allowed: 'fatal, error, warn, info, debug, trace or silent',
    parse: oneOf('fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'),
  }),
  logFormat: option({
    env: 'KLANG_LOG_FORMAT',
    default: 'auto',
    description:
      'How log lines are written to stdout: `json` (one JSON object per line, for log collectors), `pretty` (readable, coloured on a terminal), or `auto`: pretty when stdout is a terminal, JSON otherwise.',
    allowed: 'auto, json or pretty',
    parse: oneOf('auto', 'json', 'pretty'),
  }),
  summaryIntervalMs: option({
    env: 'KLANG_SUMMARY_INTERVAL',
    default: '1m',
    description:
      'How often each process logs one `activity` line at info: requests answered, events accepted, attempts and finished deliveries by outcome since the previous line.',
    allowed: 'a duration of at least 1s',
    parse: duration(1_000),
  }),
  metricsToken: option({
    env: 'KLANG_METRICS_TOKEN',
    default: undefined,
    description: 'When set, `/metrics` requires `Authorization: Bearer <token>`.',
    allowed: 'any non-empty string',
    secret: true,
    parse: text(),
  }),
  metricsPort: option({
    env: 'KLANG_METRICS_PORT',
    default: undefined,
    description:
      'When set, `/healthz`, `/readyz` and `/metrics` are also served on this port (on `KLANG_HOST`), in every role: how worker processes, which open no other port, are observed (0 picks a free port).',
    allowed: 'an integer from 0 to 65535',
    parse: int(0, 65_535),
  }),
  workerConcurrency: option({
    env: 'KLANG_WORKER_CONCURRENCY',
    default: '128',
    description: 'Attempts one worker process keeps in flight at most, over all webhooks.',
    allowed: 'an integer from 1 to 4096',
    parse: int(1, 4096),
  }),
  ownerConcurrency: option({
    env: 'KLANG_OWNER_CONCURRENCY',
    default: '32',
    description:
      "Attempts one worker keeps in flight at most for one owner's webhooks together, so one tenant never takes every slot; owners with due work take turns.",
    allowed: 'an integer from 1 to 4096',
    parse: int(1, 4096),
  }),
  webhookConcurrency: option({
    env: 'KLANG_WEBHOOK_CONCURRENCY',
    default: '8',
    description:
      'Attempts one worker keeps in flight at most towards a single webhook. The cap halves at each timed-out attempt (down to 1) and grows back by one per success.',
    allowed: 'an integer from 1 to 256',
    parse: int(1, 256),
  }),
  sendThreads: option({
    env: 'KLANG_SEND_THREADS',
    default: '1',
    description:
      'Threads of a worker process that send the HTTP requests (sockets, TLS, reading answers) beside the one that serves and writes the queue; 0 sends from the main thread.',
    allowed: '0 or 1',
    parse: int(0, 1),
  }),
  claimBatchSize: option({
    env: 'KLANG_CLAIM_BATCH',
    default: '200',
    description: 'Deliveries a worker claims from the queue in one statement.',
    allowed: 'an integer from 1 to 5000',
    parse: int(1, 5000),
  }),
  leaseMs: option({
    env: 'KLANG_LEASE',
    default: '2m',
    description:
      'How long a claimed delivery stays reserved for its worker; an expired lease returns it to the queue.',
    allowed: 'a duration of at least 1s',
    parse: duration(1_000),
  }),
  pollIntervalMs: option({
    env: 'KLANG_POLL_INTERVAL',
    default: '1s',
    description: 'Fallback queue poll of an idle worker (wake-ups normally arrive sooner).',
    allowed: 'a duration such as 1s',
    parse: duration(10),
  }),
  shutdownTimeoutMs: option({
    env: 'KLANG_SHUTDOWN_TIMEOUT',
    default: '20s',
    description:
      'On SIGTERM, how long attempts and HTTP requests in flight may finish; then the attempts are handed back to the queue (not counted) and open connections are cut.',
    allowed: 'a duration such as 20s',
    parse: duration(0),
  }),
  webhooksPerUser: option({
    env: 'KLANG_WEBHOOKS_PER_USER',
    default: '50',
    description: 'Maximum webhooks one user may own.',
    allowed: 'an integer from 1 to 10000',
    parse: int(1, 10_000),
  }),
  testEventsPerMinute: option({
    env: 'KLANG_TEST_EVENT_LIMIT',
    default: '5',
    description: 'Test events one webhook may be sent per minute (429 `rate_limited` beyond).',
    allowed: 'an integer from 1 to 100000',
    parse: int(1, 100_000),
  }),
  rateLimitPerMinute: option({
    env: 'KLANG_RATE_LIMIT',
    default: '600',
    description:
      'User API requests allowed per user per minute, all their API tokens and sessions together (test events included).',
    allowed: 'an integer from 1 to 1000000',
    parse: int(1, 1_000_000),
  }),
  sessionIdleMs: option({
    env: 'KLANG_SESSION_IDLE',
    default: '12h',
    description: 'A session ends after this long without a request.',
    allowed: 'a duration such as 12h',
    parse: duration(1_000),
  }),
  sessionMaxMs: option({
    env: 'KLANG_SESSION_MAX',
    default: '7d',
    description: 'A session ends this long after sign-in, however active.',
    allowed: 'a duration such as 7d',
    parse: duration(1_000),
  }),
  trustProxy: option({
    env: 'KLANG_TRUST_PROXY',
    default: 'false',
    description:
      'Read the client address (used by sign-in throttling and logs) from `X-Forwarded-For` when a reverse proxy is in front. `true` trusts one proxy: the client is the address that proxy added (the last entry); a number trusts that many proxies; a list of proxy addresses or CIDRs trusts exactly those. Leave off when clients connect directly, or they could claim any address.',
    allowed: 'true, false, a hop count from 1 to 10, or comma-separated proxy addresses/CIDRs',
    parse: trustProxy,
  }),
  publicUrl: option({
    env: 'KLANG_PUBLIC_URL',
    default: undefined,
    description: 'External base URL (used in printed links and to mark cookies Secure when https).',
    allowed: 'an http(s) URL',
    parse: (raw) => (/^https?:\/\/\S+$/.test(raw) ? raw.replace(/\/+$/, '') : undefined),
  }),
  demo: option({
    env: 'KLANG_DEMO',
    default: 'true',
    description: 'On an empty embedded database, create the demo Pro user, team and sample conversations.',
    allowed: 'true or false',
    parse: bool,
  }),
} as const;

export type ConfigSchema = typeof configSchema;
export type ConfigKey = keyof ConfigSchema;
export type Config = {
  readonly [K in ConfigKey]: ConfigSchema[K]['default'] extends string
    ? NonNullable<ReturnType<ConfigSchema[K]['parse']>>
    : ReturnType<ConfigSchema[K]['parse']>;
};

export { formatDuration };
