// Hourly rollup contract for response times and failure kinds: recorded batches (the queue store's
// upsert) add each answered attempt to its response-time bucket and each failure to its kind, and
// the stats read back the window's percentiles and failures by kind.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createLocalQueueSignal } from '../../src/db/queue-signal.ts';
import { createRepos } from '../../src/db/repos/index.ts';
import { createQueueRepo, type QueueResult } from '../../src/db/repos/queue-repo.ts';
import { createStatsRepo, HOUR_MS } from '../../src/db/repos/stats-repo.ts';
import { FAILURE_KIND_COLUMNS, RESPONSE_BUCKET_COLUMNS } from '../../src/db/stats-columns.ts';
import type { AttemptError } from '../../src/domain/attempt-outcome.ts';
import { createSecretBox } from '../../src/domain/secrets.ts';
import { createDeliveryLogService } from '../../src/services/delivery-log.ts';
import { describeEachDatabase, openTestDatabase, type TestDatabase } from '../support/databases.ts';
import { insertUser, insertWebhook } from '../support/fixtures.ts';
import { attemptRow, insertDelivery, insertEvent, insertStatsRow } from './rows.ts';

const box = createSecretBox(Buffer.alloc(32, 5));
const WORKER = 'worker-rollup';

/** One attempt to record: what it took, whether it was answered, and how it failed. */
interface Sent {
  ms: number;
  status?: number;
  error?: AttemptError;
}

const ok = (ms: number, n = 1): Sent[] => Array.from({ length: n }, () => ({ ms, status: 200 }));

// Answered: 8 × 3 ms, 6 × 40 ms (two 500s, one 404), 180 ms (301), 700 ms, 2 000 ms = 17 responses.
// Not answered, so in no response-time bucket however long they took: 8 failures.
const FIRST_BATCH: Sent[] = [
  ...ok(3, 4),
  { ms: 40, status: 500, error: 'http_status' },
  { ms: 40, status: 500, error: 'http_status' },
  { ms: 40, status: 404, error: 'http_status' },
  { ms: 180, status: 301, error: 'redirect' },
  { ms: 15_000, error: 'timeout' },
  { ms: 1, error: 'connection_refused' },
  { ms: 30_000, error: 'connection_reset' },
  { ms: 4, error: 'network_error' },
];
const SECOND_BATCH: Sent[] = [
  ...ok(3, 4),
  ...ok(40, 3),
  ...ok(700),
  ...ok(2_000),
  { ms: 20_000, error: 'dns_error' },
  { ms: 8, error: 'tls_error' },
  { ms: 0, error: 'blocked_address' },
  { ms: 0, error: 'internal_error' },
];

describeEachDatabase('hourly response times and failure kinds on %s', (kind) => {
  let database: TestDatabase;
  let user: string;
  let hook: string;
  const now = Date.now();
  const hour = Math.floor(now / HOUR_MS) * HOUR_MS;

  /** Claims one delivery per attempt and records them as one batch of the worker. */
  async function record(webhookId: string, sent: Sent[]) {
    for (let i = 0; i < sent.length; i++) {
      await insertDelivery(database.db, await insertEvent(database.db), webhookId, {
        nextAttemptAt: now - 1,
      });
    }
    const queue = createQueueRepo(database);
    const claimed = await queue.claim({
      workerId: WORKER,
      now,
      leaseMs: 60_000,
      limit: 100,
      perWebhook: 100,
      excludeWebhookIds: [],
    });
    expect(claimed).toHaveLength(sent.length);
    const results: QueueResult[] = claimed.map((delivery, i) => {
      const { ms, status, error } = sent[i]!;
      return {
        kind: 'attempt',
        deliveryId: delivery.id,
        webhookId,
        deliveryStatus: error ? 'failed' : 'succeeded',
        statusReason: null,
        nextAttemptAt: null,
        attempt: attemptRow(
          { id: delivery.id, eventId: delivery.eventId, webhookId },
          {
            event_type: delivery.eventType,
            outcome: error ? 'failed' : 'succeeded',
            error: error ?? null,
            error_message: error ?? null,
            response_status: status ?? null,
            duration_ms: ms,
            response_headers: status ? '{}' : null,
            response_body: status ? '' : null,
            created_at: now,
          },
        ),
      };
    });
    const summary = await queue.record(results, {
      workerId: WORKER,
      now,
      autoPauseAfter: 1_000,
      autoPauseReason: 'x',
    });
    expect(summary.recorded).toBe(sent.length);
  }

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    user = await insertUser(database.db);
    hook = (await insertWebhook(database.db, box, user)).id;
    // two batches of the same hour: the second adds to the row the first wrote
    await record(hook, FIRST_BATCH);
    await record(hook, SECOND_BATCH);
  });
  afterAll(() => database.dispose());

  it('adds each answered attempt to its response-time bucket and each failure to its kind', async () => {
    const row = await database.db
      .selectFrom('webhook_stats_hourly')
      .selectAll()
      .where('webhook_id', '=', hook)
      .executeTakeFirstOrThrow();
    expect(Number(row.hour)).toBe(hour);
    const counts = (columns: readonly string[]) =>
      Object.fromEntries(columns.map((c) => [c, Number(row[c as keyof typeof row])]));
    expect(counts(['succeeded', 'failed', 'response_count'])).toEqual({
      succeeded: 13,
      failed: 12,
      response_count: 17,
    });
    expect(counts(RESPONSE_BUCKET_COLUMNS)).toEqual({
      response_le_5: 8,
      response_le_10: 0,
      response_le_25: 0,
      response_le_50: 6,
      response_le_100: 0,
      response_le_250: 1,
      response_le_500: 0,
      response_le_1000: 1,
      response_le_2500: 1,
      response_le_5000: 0,
      response_le_10000: 0,
      response_le_inf: 0,
    });
    // internal_error counts as failed but under no kind
    expect(counts(FAILURE_KIND_COLUMNS)).toEqual({
      failed_timeout: 1,
      failed_connection: 3,
      failed_dns: 1,
      failed_tls: 1,
      failed_redirect: 1,
      failed_client_error: 1,
      failed_server_error: 2,
      failed_blocked: 1,
    });
  });

  it('reads p50, p95 and failures by kind back over the window', async () => {
    const log = createDeliveryLogService({
      repos: createRepos(database),
      queueSignal: createLocalQueueSignal(),
    });
    const stats = await log.stats({ id: user, plan: 'pro' }, hook, now);
    expect(stats).toMatchObject({
      delivered: 13,
      failed: 12,
      // rank 8.5 of 17: the first of six in (25, 50] → 25 + 25 × 0.5 / 6
      p50ResponseMs: 27,
      // rank 16.15 of 17: the one in (1000, 2500] → 1000 + 1500 × 0.15
      p95ResponseMs: 1_225,
    });
    expect(stats.failuresByKind).toEqual({
      timeout: 1,
      connection: 3,
      dns: 1,
      tls: 1,
      redirect: 1,
      client_error: 1,
      server_error: 2,
      blocked: 1,
    });
  });

  it('sums the buckets and kinds of the window only, and answers null percentiles without responses', async () => {
    const other = (await insertWebhook(database.db, box, user)).id;
    const start = hour - 23 * HOUR_MS;
    await insertStatsRow(database.db, other, start, {
      failed: 2,
      counters: { response_le_100: 2, failed_tls: 2 },
    });
    await insertStatsRow(database.db, other, hour, {
      failed: 5,
      counters: { response_le_100: 1, response_le_inf: 3, failed_tls: 1, failed_timeout: 4 },
    });
    // just outside the window on both sides
    for (const outside of [start - HOUR_MS, hour + HOUR_MS]) {
      await insertStatsRow(database.db, other, outside, {
        failed: 9,
        counters: { response_le_5: 50, failed_blocked: 9 },
      });
    }
    const window = (await createStatsRepo(database.db).window([other], 24, now)).get(other)!;
    expect(window.responseBuckets).toEqual([0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 3]);
    expect(window.failuresByKind).toMatchObject({ tls: 3, timeout: 4, blocked: 0 });

    const log = createDeliveryLogService({
      repos: createRepos(database),
      queueSignal: createLocalQueueSignal(),
    });
    const stats = await log.stats({ id: user, plan: 'pro' }, other, now);
    // rank 3 of 6 is the last in (50, 100]; rank 5.7 falls in the open bucket: its lower bound
    expect([stats.p50ResponseMs, stats.p95ResponseMs]).toEqual([100, 10_000]);
    const quiet = (await insertWebhook(database.db, box, user)).id;
    await insertStatsRow(database.db, quiet, hour, { failed: 1, counters: { failed_dns: 1 } });
    const quietStats = await log.stats({ id: user, plan: 'pro' }, quiet, now);
    expect([quietStats.p50ResponseMs, quietStats.p95ResponseMs]).toEqual([null, null]);
    expect(quietStats.failuresByKind.dns).toBe(1);
  });
});
