// The worker's LISTEN connection on PostgreSQL: outside the pool (every pooled connection stays free
// for statements), named in pg_stat_activity, and replaced after it is killed — wake-ups resume.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterEach, expect, it } from 'vitest';
import { connectDatabase, type DatabaseHandle } from '../../src/db/connect.ts';
import { createQueueSignal } from '../../src/db/pg-queue-signal.ts';
import { describeEachDatabase, openTestDatabase, type TestDatabase } from '../support/databases.ts';
import { waitFor } from './support/receiver.ts';

describeEachDatabase('queue listener connection (%s)', (kind) => {
  if (kind !== 'postgres') {
    it('has no listener connection on SQLite (wake-ups stay in the process)', async () => {
      const database = await openTestDatabase(kind);
      expect(database.listenerClient).toBeUndefined();
      await database.dispose();
    });
    return;
  }

  let database: TestDatabase;
  const closers: (() => Promise<void>)[] = [];

  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
    await database?.dispose();
  });

  /** A worker-like handle with its own application name, so only its listener is looked at or killed. */
  function open(poolSize: number): { handle: DatabaseHandle; name: string } {
    const name = `klang-test-${randomBytes(4).toString('hex')}`;
    const handle = connectDatabase(process.env.TEST_DATABASE_URL!, {
      schema: database.schema!,
      poolSize,
      applicationName: name,
    });
    closers.push(() => handle.close());
    return { handle, name };
  }

  async function admin<T extends pg.QueryResultRow>(text: string, values: unknown[]): Promise<T[]> {
    const client = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL! });
    await client.connect();
    try {
      return (await client.query<T>(text, values)).rows;
    } finally {
      await client.end();
    }
  }

  const listenerPids = async (name: string) =>
    (
      await admin<{ pid: number }>(
        `SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND query LIKE 'LISTEN%'`,
        [`${name} listener`],
      )
    ).map((row) => row.pid);

  it('leaves the whole pool to statements while it listens', { timeout: 20_000 }, async () => {
    database = await openTestDatabase(kind);
    const { handle, name } = open(2);
    const signal = createQueueSignal(handle);
    closers.push(() => signal.close());
    let wakes = 0;
    signal.onWake(() => wakes++);
    await waitFor(() => wakes > 0, 5_000, 'the listener to start');
    expect(await listenerPids(name)).toHaveLength(1);

    // Both pooled connections at once: neither waits for the listener's.
    const pool = handle.pool!;
    const clients = await Promise.race([
      Promise.all([pool.connect(), pool.connect()]),
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error('the pool had no 2 connections free')), 3_000),
      ),
    ]);
    try {
      const pids = await Promise.all(
        clients.map(async (client) => (await client.query('SELECT pg_backend_pid() AS pid')).rows[0].pid),
      );
      expect(new Set(pids).size).toBe(2);
      expect(pids).not.toContain((await listenerPids(name))[0]);
    } finally {
      for (const client of clients) client.release();
    }
    expect(pool.totalCount).toBe(2);
  });

  it('reconnects after its connection is killed and wakes on NOTIFY again', { timeout: 30_000 }, async () => {
    database = await openTestDatabase(kind);
    const worker = open(2);
    const publisher = open(2);
    const problems: unknown[] = [];
    const signal = createQueueSignal(worker.handle, { onError: (error) => problems.push(error) });
    const sender = createQueueSignal(publisher.handle);
    closers.push(
      () => signal.close(),
      () => sender.close(),
    );
    let wakes = 0;
    signal.onWake(() => wakes++);
    await waitFor(() => wakes > 0, 5_000, 'the listener to start');
    const [first] = await listenerPids(worker.name);
    expect(first).toBeDefined();

    const killed = await admin<{ done: boolean }>(
      `SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity WHERE application_name = $1`,
      [`${worker.name} listener`],
    );
    expect(killed.map((row) => row.done)).toEqual([true]);
    const beforeReconnect = wakes;
    await waitFor(() => problems.length > 0, 5_000, 'the loss to be reported');

    // A new connection LISTENs, and its catch-up wake-up comes (anything committed meanwhile).
    await waitFor(
      async () => {
        const pids = await listenerPids(worker.name);
        return pids.length === 1 && pids[0] !== first;
      },
      10_000,
      'a new LISTEN connection',
    );
    await waitFor(() => wakes > beforeReconnect, 5_000, 'the catch-up wake-up');

    // A NOTIFY from another process reaches the new connection.
    const beforeNotify = wakes;
    sender.notify();
    await waitFor(() => wakes > beforeNotify, 5_000, 'the NOTIFY wake-up after the reconnect');
  });
});
