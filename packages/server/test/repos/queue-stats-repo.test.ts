// Queue stats repository contract: pending deliveries split into due now and scheduled later (other
// statuses not counted), and the latest worker heartbeat.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createQueueStatsRepo } from '../../src/db/repos/queue-stats-repo.ts';
import { createSecretBox } from '../../src/domain/secrets.ts';
import { describeEachDatabase, openTestDatabase, type TestDatabase } from '../support/databases.ts';
import { insertUser, insertWebhook } from '../support/fixtures.ts';
import { insertDelivery, insertEvent } from './rows.ts';

const box = createSecretBox(Buffer.alloc(32, 9));
const NOW = 2_000_000;

describeEachDatabase('queue stats repo on %s', (kind) => {
  let database: TestDatabase;
  let stats: ReturnType<typeof createQueueStatsRepo>;
  beforeAll(async () => {
    database = await openTestDatabase(kind);
    stats = createQueueStatsRepo(database.db);
  });
  afterAll(() => database.dispose());

  it('reports zeros and no heartbeat on an empty database', async () => {
    // A database of its own: the other tests of this file add rows, in any order.
    const empty = await openTestDatabase(kind);
    try {
      const emptyStats = createQueueStatsRepo(empty.db);
      expect(await emptyStats.pendingCounts(NOW)).toEqual({ due: 0, scheduled: 0 });
      expect(await emptyStats.latestHeartbeat()).toBeUndefined();
    } finally {
      await empty.dispose();
    }
  });

  it('counts pending deliveries due now (inclusive) and scheduled later', async () => {
    const user = await insertUser(database.db);
    const hook = (await insertWebhook(database.db, box, user)).id;
    const add = async (options: Parameters<typeof insertDelivery>[3]) =>
      insertDelivery(database.db, await insertEvent(database.db), hook, options);
    for (const at of [NOW - 10, NOW, NOW - 5_000]) await add({ nextAttemptAt: at });
    for (const at of [NOW + 1, NOW + 60_000]) await add({ nextAttemptAt: at });
    for (const status of ['succeeded', 'failed', 'cancelled', 'missed'] as const) {
      await add({ status, nextAttemptAt: NOW - 1 });
    }
    expect(await stats.pendingCounts(NOW)).toEqual({ due: 3, scheduled: 2 });
    expect(await stats.pendingCounts(NOW + 60_000)).toEqual({ due: 5, scheduled: 0 });
    expect(await stats.pendingCounts(0)).toEqual({ due: 0, scheduled: 5 });
  });

  it('returns the most recent heartbeat of any worker', async () => {
    await database.db
      .insertInto('workers')
      .values([
        { id: 'w1', role: 'worker', started_at: 1, heartbeat_at: 5_000 },
        { id: 'w2', role: 'worker', started_at: 2, heartbeat_at: 9_000 },
        { id: 'w3', role: 'worker', started_at: 3, heartbeat_at: 7_000 },
      ])
      .execute();
    expect(await stats.latestHeartbeat()).toBe(9_000);
    await database.db.updateTable('workers').set({ heartbeat_at: 12_000 }).where('id', '=', 'w3').execute();
    expect(await stats.latestHeartbeat()).toBe(12_000);
  });
});
