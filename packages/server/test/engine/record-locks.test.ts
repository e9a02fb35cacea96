// Two PostgreSQL workers recording results for the same webhook at once: a batch never waits for the
// other's hourly stats rows (a transaction writes a shard no other holds, summed by readers), and the
// consecutive-failure counter and auto-pause stay exact under concurrent batches.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { connectDatabase, type DatabaseHandle } from '../../src/db/connect.ts';
import type { QueueResult } from '../../src/db/queue-store/types.ts';
import { createQueueRepo, type QueueRepo } from '../../src/db/repos/queue-repo.ts';
import { createStatsRepo } from '../../src/db/repos/stats-repo.ts';
import { newId } from '../../src/domain/ids.ts';
import { createSecretBox } from '../../src/domain/secrets.ts';
import { attemptRow, insertEvent } from '../repos/rows.ts';
import { openTestDatabase, type TestDatabase } from '../support/databases.ts';
import { insertUser, insertWebhook } from '../support/fixtures.ts';
import { waitFor } from './support/receiver.ts';

const box = createSecretBox(Buffer.alloc(32, 9));
const url = process.env.TEST_DATABASE_URL;

describe.skipIf(!url)(
  `recording results from two PostgreSQL workers${url ? '' : ' (skipped: set TEST_DATABASE_URL to run it)'}`,
  () => {
    let database: TestDatabase;
    const closers: (() => Promise<void>)[] = [];

    afterEach(async () => {
      for (const close of closers.splice(0).reverse()) await close();
      await database?.dispose();
    });

    /** A worker process's database handle, named so its backends can be found in pg_stat_activity. */
    function worker(): { handle: DatabaseHandle; queue: QueueRepo; name: string } {
      const name = `klang-test-${randomBytes(4).toString('hex')}`;
      const handle = connectDatabase(url!, { schema: database.schema!, applicationName: name });
      closers.push(() => handle.close());
      return { handle, queue: createQueueRepo(handle), name };
    }

    async function session(): Promise<pg.Client> {
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      closers.push(() => client.end());
      return client;
    }

    /** A delivery of a new event to the webhook, leased by the worker. */
    async function leased(webhookId: string, workerId: string): Promise<{ id: string; eventId: string }> {
      const eventId = await insertEvent(database.db);
      const id = newId.delivery();
      const now = Date.now();
      await database.db
        .insertInto('deliveries')
        .values({
          id,
          event_id: eventId,
          webhook_id: webhookId,
          status: 'pending',
          status_reason: null,
          test: 0,
          attempts: 0,
          next_attempt_at: now,
          locked_until: now + 60_000,
          locked_by: workerId,
          created_at: now,
          updated_at: now,
        })
        .execute();
      return { id, eventId };
    }

    function result(
      delivery: { id: string; eventId: string },
      webhookId: string,
      outcome: 'succeeded' | 'failed',
    ): QueueResult {
      return {
        kind: 'attempt',
        deliveryId: delivery.id,
        webhookId,
        attempt: attemptRow(
          { ...delivery, webhookId },
          {
            outcome,
            error: outcome === 'failed' ? 'http_status' : null,
            error_message: outcome === 'failed' ? 'receiver answered 500' : null,
            response_status: outcome === 'failed' ? 500 : 204,
            duration_ms: 7,
          },
        ),
        deliveryStatus: outcome === 'failed' ? 'failed' : 'succeeded',
        statusReason: outcome === 'failed' ? 'attempts_exhausted' : null,
        nextAttemptAt: null,
      };
    }

    const options = (workerId: string, autoPauseAfter = 25) => ({
      workerId,
      now: Date.now(),
      autoPauseAfter,
      autoPauseReason: 'paused by the test',
    });

    it('lets a batch through while another holds stats rows of the same webhook and hour', async () => {
      database = await openTestDatabase('postgres');
      const user = await insertUser(database.db, 'pro');
      const [w1, w2] = [
        (await insertWebhook(database.db, box, user)).id,
        (await insertWebhook(database.db, box, user)).id,
      ];
      const a = worker();
      const b = worker();

      // Worker A's batch (a success for w1, a failure for w2) stops at its last statement, the
      // counter lock of w2, which another session holds: by then A has written its stats rows.
      const blocker = await session();
      await blocker.query('BEGIN');
      await blocker.query('SELECT id FROM webhooks WHERE id = $1 FOR NO KEY UPDATE', [w2]);
      const recordedByA = a.queue.record(
        [result(await leased(w1, 'wrk_a'), w1, 'succeeded'), result(await leased(w2, 'wrk_a'), w2, 'failed')],
        options('wrk_a'),
      );
      const admin = await session();
      await waitFor(
        async () =>
          (
            await admin.query(
              `SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'`,
              [a.name],
            )
          ).rowCount === 1,
        5_000,
        "worker A waiting for w2's counter",
      );

      // Worker B records for w1 in the same hour, and does not wait for A.
      const delivery = await leased(w1, 'wrk_b');
      const recordedByB = b.queue.record([result(delivery, w1, 'succeeded')], options('wrk_b'));
      const outcome = await Promise.race([
        recordedByB,
        new Promise<'waited'>((resolve) => setTimeout(() => resolve('waited'), 3_000)),
      ]);
      expect(outcome).toEqual({ recorded: 1, autoPaused: [], claimed: [] });

      await blocker.query('COMMIT');
      expect(await recordedByA).toEqual({ recorded: 2, autoPaused: [], claimed: [] });

      // Two shards of w1's hour (the main row and one beside it), summed by the reader; the
      // counters as the results say.
      const main = await database.db
        .selectFrom('webhook_stats_hourly')
        .select('succeeded')
        .where('webhook_id', '=', w1)
        .execute();
      const beside = await database.db
        .selectFrom('webhook_stats_hourly_shards')
        .select(['shard', 'succeeded'])
        .where('webhook_id', '=', w1)
        .execute();
      expect(main).toEqual([{ succeeded: 1 }]);
      expect(beside).toEqual([{ shard: 1, succeeded: 1 }]);
      const window = await createStatsRepo(database.db).window([w1, w2]);
      expect(window.get(w1)).toMatchObject({ succeeded: 2, failed: 0, responseCount: 2 });
      expect(window.get(w2)).toMatchObject({ succeeded: 0, failed: 1, responseCount: 1 });
      const counters = await database.db
        .selectFrom('webhooks')
        .select(['id', 'consecutive_failures'])
        .orderBy('id')
        .execute();
      expect(Object.fromEntries(counters.map((row) => [row.id, Number(row.consecutive_failures)]))).toEqual({
        [w1]: 0,
        [w2]: 1,
      });
    });

    it('keeps the failure counter and auto-pause exact under concurrent batches', {
      timeout: 60_000,
    }, async () => {
      database = await openTestDatabase('postgres');
      const user = await insertUser(database.db, 'pro');
      const failing = (await insertWebhook(database.db, box, user)).id;
      const healthy = (await insertWebhook(database.db, box, user)).id;
      const threshold = 100;
      const workers = [worker(), worker()];
      const streamsPerWorker = 2;
      const batches = 15;
      // Each batch: two failures of the failing webhook, one success of the healthy one.
      const plans = await Promise.all(
        workers.flatMap((w, i) =>
          Array.from({ length: streamsPerWorker }, async () => {
            const workerId = `wrk_${i}`;
            const planned: QueueResult[][] = [];
            for (let n = 0; n < batches; n++) {
              planned.push([
                result(await leased(failing, workerId), failing, 'failed'),
                result(await leased(healthy, workerId), healthy, 'succeeded'),
                result(await leased(failing, workerId), failing, 'failed'),
              ]);
            }
            return { w, workerId, planned };
          }),
        ),
      );
      const autoPaused: string[] = [];
      await Promise.all(
        plans.map(async ({ w, workerId, planned }) => {
          for (const batch of planned) {
            const summary = await w.queue.record(batch, options(workerId, threshold));
            expect(summary.recorded).toBe(3);
            autoPaused.push(...summary.autoPaused);
          }
        }),
      );

      const failures = workers.length * streamsPerWorker * batches * 2;
      const row = await database.db
        .selectFrom('webhooks')
        .select(['status', 'consecutive_failures'])
        .where('id', '=', failing)
        .executeTakeFirstOrThrow();
      expect(Number(row.consecutive_failures)).toBe(failures);
      expect(row.status).toBe('auto_paused');
      expect(autoPaused).toEqual([failing]);
      const window = await createStatsRepo(database.db).window([failing, healthy]);
      expect(window.get(failing)).toMatchObject({ failed: failures, succeeded: 0 });
      expect(window.get(healthy)).toMatchObject({ failed: 0, succeeded: failures / 2 });
    });
  },
);
