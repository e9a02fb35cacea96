// On PostgreSQL deliveries and attempts carry no foreign keys: an intake group locks its candidate
// webhooks instead, so a webhook deleted while events are published gets no delivery that outlives
// it, and the sweeper removes what a webhook deleted by an older version (keys' cascade) left.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventsRepo } from '../../src/db/repos/events-repo.ts';
import { createQueueSweeps } from '../../src/db/repos/queue-sweeps.ts';
import { newId } from '../../src/domain/ids.ts';
import { createSecretBox } from '../../src/domain/secrets.ts';
import { openTestDatabase, type TestDatabase } from '../support/databases.ts';
import { insertConversation, insertUser, insertWebhook } from '../support/fixtures.ts';
import { countRows, insertAttempt, insertDelivery, insertEvent } from './rows.ts';

const box = createSecretBox(Buffer.alloc(32, 5));

async function until(check: () => Promise<boolean>, deadlineMs = 5_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met before the deadline');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe.skipIf(!process.env.TEST_DATABASE_URL)(
  'postgres: a webhook deleted while events are published',
  () => {
    let database: TestDatabase;
    beforeAll(async () => {
      database = await openTestDatabase('postgres');
    });
    afterAll(async () => {
      await database?.dispose();
    });

    it('a group that reaches the webhook while its delete is uncommitted waits, then writes none for it', async () => {
      const { db } = database;
      const user = await insertUser(db, 'pro');
      const conversationId = await insertConversation(db, user);
      const doomed = await insertWebhook(db, box, user);
      const kept = await insertWebhook(db, box, user);
      const events = createEventsRepo(db, 'postgres', database.intakeStore);

      const deleting = await database.pool!.connect();
      try {
        await deleting.query('BEGIN');
        await deleting.query('DELETE FROM webhooks WHERE id = $1', [doomed.id]);
        const pid = (await deleting.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
        const published = events.publish({
          id: newId.event(),
          type: 'conversation.ready',
          conversationId,
          payload: '{}',
          test: false,
          createdAt: Date.now(),
        });
        // The group's write waits for the deleted row's lock (seen from another connection:
        // within a transaction PostgreSQL keeps its first reading of the activity).
        await until(async () => {
          const { rows } = await database.pool!.query<{ n: number }>(
            'SELECT count(*)::int AS n FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))',
            [pid],
          );
          return rows[0]!.n > 0;
        });
        await deleting.query('DELETE FROM deliveries WHERE webhook_id = $1', [doomed.id]);
        await deleting.query('COMMIT');
        expect(await published).toMatchObject({ kind: 'created', deliveries: 1, webhookIds: [kept.id] });
      } finally {
        deleting.release(true); // closed, not returned to the pool: it may still be inside a transaction
      }
      const hooks = (await db.selectFrom('deliveries').select('webhook_id').execute()).map(
        (d) => d.webhook_id,
      );
      expect(hooks).toEqual([kept.id]);
    });

    it('the sweeper removes the deliveries and attempts of a webhook that is gone, and nothing else', async () => {
      const { db } = database;
      const user = await insertUser(db, 'pro');
      const kept = await insertWebhook(db, box, user);
      const gone = newId.webhook(); // deleted by a process that relied on the keys' cascade
      const eventId = await insertEvent(db);
      for (const webhookId of [kept.id, gone]) {
        const id = await insertDelivery(db, eventId, webhookId);
        await insertAttempt(db, { id, eventId, webhookId });
      }
      const sweeps = createQueueSweeps(db, 'postgres');
      expect(await sweeps.removeOrphanedRows()).toBe(1);
      for (const table of ['deliveries', 'attempts'] as const) {
        expect(await countRows(db, table, gone)).toBe(0);
        expect(await countRows(db, table, kept.id)).toBe(1);
      }
      expect(await sweeps.removeOrphanedRows()).toBe(0);
    });
  },
);
