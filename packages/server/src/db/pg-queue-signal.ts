// Queue wake-ups across processes on PostgreSQL: notify() also sends NOTIFY through the pool (coalesced
// to one in flight, naming the webhooks announced meanwhile); the first subscriber opens a dedicated
// LISTEN connection outside the pool, which reconnects with backoff after a loss and LISTENs again
// (meanwhile the worker polls).
import type pg from 'pg';
import type { DatabaseHandle } from './connect.ts';
import { createLocalQueueSignal, type QueueSignal } from './queue-signal.ts';

export const QUEUE_CHANNEL = 'klang_deliveries';

/** Reconnect delays of the LISTEN connection: doubling from the first to the last, with jitter. */
const RECONNECT_FIRST_MS = 100;
const RECONNECT_MAX_MS = 5_000;
/** Webhook ids in one NOTIFY at most (PostgreSQL takes 8,000 bytes); a longer list names none. */
const MAX_PAYLOAD_BYTES = 7_000;

export interface PgSignalOptions {
  /** Called with connection problems of the LISTEN client (they are retried, never thrown). */
  onError?: (error: unknown) => void;
  channel?: string;
}

/** The queue signal for a database handle: LISTEN/NOTIFY on PostgreSQL, in-process on SQLite. */
export function createQueueSignal(database: DatabaseHandle, options: PgSignalOptions = {}): QueueSignal {
  return database.pool && database.listenerClient
    ? createPgQueueSignal(database.pool, database.listenerClient, options)
    : createLocalQueueSignal();
}

export function createPgQueueSignal(
  pool: pg.Pool,
  newListener: () => pg.Client,
  options: PgSignalOptions = {},
): QueueSignal {
  const local = createLocalQueueSignal();
  const channel = options.channel ?? QUEUE_CHANNEL;
  const onError = options.onError ?? (() => {});
  let closed = false;
  let notifying = false;
  let notifyAgain = false;
  /** Webhooks announced since the last NOTIFY left; undefined once an announcement named none. */
  let named: Set<string> | undefined = new Set();
  let listener: pg.Client | undefined;
  let listening = false;
  let failures = 0;
  let retryTimer: NodeJS.Timeout | undefined;

  function sendNotify(): void {
    if (notifying) {
      notifyAgain = true;
      return;
    }
    notifying = true;
    // An empty payload wakes listeners for any webhook.
    const list = named ? [...named].join(',') : '';
    named = new Set();
    const payload = list.length <= MAX_PAYLOAD_BYTES ? list : '';
    pool.query('SELECT pg_notify($1, $2)', [channel, payload]).then(
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
    const client = newListener();
    let lost = false;
    const loseOnce = (error: unknown) => {
      if (lost) return;
      lost = true;
      onError(error);
      if (listener === client) listener = undefined;
      client.end().catch(() => {});
      scheduleListen();
    };
    client.on('error', loseOnce);
    client.on('end', () => loseOnce(new Error('the LISTEN connection ended')));
    client.on('notification', (message) => {
      if (message.channel === channel) local.notify(message.payload ? message.payload.split(',') : undefined);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${channel}`);
    } catch (error) {
      loseOnce(error);
      return;
    }
    if (lost) return;
    if (closed) {
      lost = true;
      await client.end().catch(() => {});
      return;
    }
    listener = client;
    failures = 0;
    // Anything committed while we were not listening is picked up by this wake-up.
    local.notify();
  }

  function scheduleListen(): void {
    if (closed || retryTimer) return;
    const ceiling = Math.min(RECONNECT_MAX_MS, RECONNECT_FIRST_MS * 2 ** failures);
    failures++;
    retryTimer = setTimeout(
      () => {
        retryTimer = undefined;
        void listen();
      },
      ceiling / 2 + Math.random() * (ceiling / 2),
    );
    retryTimer.unref();
  }

  return {
    notify(webhookIds) {
      local.notify(webhookIds);
      if (!webhookIds) named = undefined;
      else if (named) for (const id of webhookIds) named.add(id);
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
        client.removeAllListeners('end');
        client.on('error', () => {});
        await client.end().catch(() => {});
      }
      await local.close();
    },
  };
}
