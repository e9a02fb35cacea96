// Queue wake-ups: in-process on SQLite, LISTEN/NOTIFY between processes (here: two pools) on PostgreSQL.
import { afterEach, expect, it } from 'vitest';
import { connectDatabase, type DatabaseHandle } from '../../src/db/connect.ts';
import { createQueueSignal } from '../../src/db/pg-queue-signal.ts';
import type { QueueSignal } from '../../src/db/queue-signal.ts';
import { describeEachDatabase, openTestDatabase, type TestDatabase } from '../support/databases.ts';
import { waitFor } from './support/receiver.ts';

describeEachDatabase('queue signal (%s)', (kind) => {
  let database: TestDatabase;
  const closers: (() => Promise<void>)[] = [];

  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
    await database?.dispose();
  });

  function signal(handle: DatabaseHandle): QueueSignal {
    const created = createQueueSignal(handle);
    closers.push(() => created.close());
    return created;
  }

  it('wakes a subscriber of the same process, coalescing bursts', async () => {
    database = await openTestDatabase(kind);
    const queue = signal(database);
    let wakes = 0;
    queue.onWake(() => wakes++);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const before = wakes;
    for (let i = 0; i < 10; i++) queue.notify();
    await waitFor(() => wakes > before, 2_000, 'a wake-up');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(wakes - before).toBeLessThanOrEqual(3);
  });

  // In-process coalescing (on PostgreSQL a process also hears its own NOTIFY back, at any time; the
  // test across processes below covers the names there).
  it.runIf(kind === 'sqlite')(
    'names the webhooks announced since the last wake-up, or none once one was unnamed',
    async () => {
      database = await openTestDatabase(kind);
      const queue = signal(database);
      const wakes: (string[] | undefined)[] = [];
      queue.onWake((ids) => wakes.push(ids && [...ids].sort()));
      queue.notify(['wh_b', 'wh_a']);
      queue.notify(['wh_a']);
      await waitFor(() => wakes.length > 0, 2_000, 'a named wake-up');
      expect(wakes.shift()).toEqual(['wh_a', 'wh_b']);
      queue.notify(['wh_c']);
      queue.notify();
      await waitFor(() => wakes.some((ids) => ids === undefined), 2_000, 'an unnamed wake-up');
      expect(wakes.filter((ids) => ids !== undefined && ids.length > 0)).toEqual([]);
    },
  );

  it.runIf(kind === 'postgres')('wakes a worker of another process through NOTIFY', async () => {
    database = await openTestDatabase(kind);
    const other = connectDatabase(process.env.TEST_DATABASE_URL!, { schema: database.schema! });
    closers.push(() => other.close());
    const publisher = signal(database);
    const worker = signal(other);
    let wakes = 0;
    worker.onWake(() => wakes++);
    await waitFor(() => wakes > 0, 5_000, 'the listener to start');
    const before = wakes;
    publisher.notify();
    await waitFor(() => wakes > before, 5_000, 'the NOTIFY wake-up');
    expect(wakes).toBeGreaterThan(before);
  });

  it.runIf(kind === 'postgres')('names the announced webhooks in the NOTIFY, or none', async () => {
    database = await openTestDatabase(kind);
    const other = connectDatabase(process.env.TEST_DATABASE_URL!, { schema: database.schema! });
    closers.push(() => other.close());
    const publisher = signal(database);
    const worker = signal(other);
    const wakes: (string[] | undefined)[] = [];
    worker.onWake((ids) => wakes.push(ids && [...ids].sort()));
    await waitFor(() => wakes.length > 0, 5_000, 'the listener to start');
    wakes.length = 0;
    publisher.notify(['wh_2', 'wh_1']);
    await waitFor(() => wakes.length > 0, 5_000, 'a named NOTIFY');
    expect(wakes.shift()).toEqual(['wh_1', 'wh_2']);
    publisher.notify();
    await waitFor(() => wakes.length > 0, 5_000, 'an unnamed NOTIFY');
    expect(wakes).toEqual([undefined]);
  });
});
