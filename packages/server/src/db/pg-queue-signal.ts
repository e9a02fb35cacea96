// Queue wake-ups across processes on PostgreSQL: notify() also sends NOTIFY (coalesced to one in
// flight), and the first subscriber opens a dedicated LISTEN connection that reconnects on loss.
import type pg from 'pg';
import type { DatabaseHandle } from './connect.ts';
import { createLocalQueueSignal, type QueueSignal } from './queue-signal.ts';

export const QUEUE_CHANNEL = 'klang_deliveries';

export interface PgSignalOptions {
  /** Called with connection problems of the LISTEN client (they are retried, never thrown). */
  onError?: (error: unknown) => void;
  channel?: string;
}

/** The queue signal for a database handle: LISTEN/NOTIFY on PostgreSQL, in-process on SQLite. */
export function createQueueSignal(database: DatabaseHandle, options: PgSignalOptions = {}): QueueSignal {
  return database.pool ? createPgQueueSignal(database.pool, options) : createLocalQueueSignal();
}

export function createPgQueueSignal(pool: pg.Pool, options: PgSignalOptions = {}): QueueSignal {
  const local = createLocalQueueSignal();
  const channel = options.channel ?? QUEUE_CHANNEL;
  const onError = options.onError ?? (() => {});
  let closed = false;
  let notifying = false;
  let notifyAgain = false;
  let listener: pg.PoolClient | undefined;
  let listening = false;
  let retryTimer: NodeJS.Timeout | undefined;

  function sendNotify(): void {
    if (notifying) {
      notifyAgain = true;
      return;
    }
    notifying = true;
    pool.query('SELECT pg_notify($1, $2)', [channel, '']).then(
      () => finishNotify(),
      (error: unknown) => {
        onError(error);
        finishNotify();
      },
    );
  }

  function finishNotify(): void {
    notifying = false;
    if (notifyAgain && !closed) {
      notifyAgain = false;
      sendNotify();
    }
  }

  async function listen(): Promise<void> {
    if (closed) return;
    try {
      const client = await pool.connect();
      if (closed) {
        client.release();
        return;
      }
      client.on('notification', (message) => {
        if (message.channel === channel) local.notify();
      });
      client.on('error', (error) => {
        onError(error);
        dropListener(client, true);
      });
      await client.query(`LISTEN ${channel}`);
      listener = client;
      // Anything committed while we were not listening is picked up by this wake-up.
      local.notify();
    } catch (error) {
      onError(error);
      scheduleListen();
    }
  }

  function dropListener(client: pg.PoolClient, broken: boolean): void {
    if (listener === client) listener = undefined;
    client.release(broken ? new Error('listener lost') : undefined);
    if (broken) scheduleListen();
  }

  function scheduleListen(): void {
    if (closed || retryTimer) return;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      void listen();
    }, 1_000);
    retryTimer.unref();
  }

  return {
    notify() {
      local.notify();
      if (!closed) sendNotify();
    },
    onWake(callback) {
      if (!listening) {
        listening = true;
        void listen();
      }
      return local.onWake(callback);
    },
    async close() {
      closed = true;
      if (retryTimer) clearTimeout(retryTimer);
      const client = listener;
      listener = undefined;
      if (client) {
        await client.query(`UNLISTEN ${channel}`).catch(() => {});
        client.release();
      }
      await local.close();
    },
  };
}
